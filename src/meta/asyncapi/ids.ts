import type { JsonValue } from '../json-schema'

// Keys of `channels`, `operations`, `components.*` and `channels.<id>.messages` must match
// AsyncAPI's `^[A-Za-z0-9._-]+$`; channel, action and topic names may hold anything.
const UNSAFE_ID_CHARS = /[^A-Za-z0-9._-]/g

/**
 * Hands out ids that fit AsyncAPI's key pattern, unique within one map.
 * Names that sanitize alike ("todo/create", "todo create") get `_2`, `_3`...
 * in the order they are asked for, so the order of the wirings' names, which
 * `describeChannels` fixes, decides who keeps the plain id.
 */
export class Ids {
  readonly #taken = new Set<string>()

  take(wanted: string): string {
    const base = wanted.replace(UNSAFE_ID_CHARS, '_') || '_'
    let id = base
    for (let n = 2; this.#taken.has(id); n++) id = `${base}_${n}`
    this.#taken.add(id)
    return id
  }
}

/**
 * One id-keyed map of the document (`channels`, `operations`,
 * `components.*`) with the ids it has handed out. Entries are kept in a Map
 * and turned into an object with `Object.fromEntries`, which defines own
 * properties: a channel named `__proto__` stays a key instead of setting a
 * prototype.
 */
export class IdMap {
  readonly #ids = new Ids()
  readonly #entries = new Map<string, JsonValue>()

  /** An id for an entry set later, when its body needs the id first (a channel's messages name their channel). */
  take(wanted: string): string {
    return this.#ids.take(wanted)
  }

  set(id: string, value: JsonValue): void {
    this.#entries.set(id, value)
  }

  add(wanted: string, value: JsonValue): string {
    const id = this.take(wanted)
    this.set(id, value)
    return id
  }

  toObject(): { [id: string]: JsonValue } {
    return Object.fromEntries(this.#entries)
  }
}
