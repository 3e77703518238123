// Adds the ChannelObject binding and its SQLite migration to a wrangler config,
// as text appended to what the user wrote: nothing of theirs is reformatted.

/** The binding name the library expects unless `channels({ binding })` says otherwise. */
export const BINDING = 'CHANNELS'
const CLASS = 'ChannelObject'
const TAG = 'pikku-channels'

/** What the config already says about the object, read with wrangler's own parser. */
export interface ConfigFacts {
  /** A durable_objects binding whose class_name is ChannelObject (any name). */
  bindingName: string | undefined
  hasDurableObjects: boolean
  /** ChannelObject appears in a migration's new_sqlite_classes (or new_classes). */
  migrated: boolean
  hasMigrations: boolean
}

export type WranglerEdit =
  | { kind: 'unchanged'; bindingName: string }
  | { kind: 'edited'; text: string; added: string[]; bindingName: string }
  | { kind: 'manual'; lines: string; bindingName: string }

/** Reads the facts from the raw config object. */
export function configFacts(raw: Record<string, unknown>): ConfigFacts {
  const objects = raw.durable_objects as { bindings?: { name?: string; class_name?: string }[] } | undefined
  const binding = objects?.bindings?.find((b) => b.class_name === CLASS)
  const migrations = raw.migrations as { new_sqlite_classes?: string[]; new_classes?: string[] }[] | undefined
  return {
    bindingName: binding?.name,
    hasDurableObjects: objects !== undefined,
    migrated: migrations?.some((m) => m.new_sqlite_classes?.includes(CLASS) || m.new_classes?.includes(CLASS)) ?? false,
    hasMigrations: migrations !== undefined,
  }
}

/** The edit for a `wrangler.toml`: `[[...]]` tables appended, when the file writes its tables that way (or has none). */
export function editToml(text: string, facts: ConfigFacts): WranglerEdit {
  const plan = new Plan()
  if (!facts.bindingName) {
    const block = `[[durable_objects.bindings]]\nname = "${BINDING}"\nclass_name = "${CLASS}"`
    plan.add(!facts.hasDurableObjects || /^\s*\[\[durable_objects\.bindings\]\]/m.test(text), block, `the ${BINDING} binding`)
  }
  if (!facts.migrated) {
    const block = `[[migrations]]\ntag = "${TAG}"\nnew_sqlite_classes = ["${CLASS}"]`
    plan.add(!facts.hasMigrations || /^\s*\[\[migrations\]\]/m.test(text), block, 'the SQLite migration')
  }
  const edited = plan.pieces.length ? `${text.replace(/\s*$/, '\n')}\n${plan.pieces.join('\n\n')}\n` : text
  return plan.outcome(text, edited, facts, '\n\n')
}

/** The edit for `wrangler.json`/`wrangler.jsonc`: top-level keys inserted before the final `}`, when the config has none of them. */
export function editJson(text: string, facts: ConfigFacts): WranglerEdit {
  const plan = new Plan()
  const binding = `{ "name": "${BINDING}", "class_name": "${CLASS}" }`
  const migration = `{ "tag": "${TAG}", "new_sqlite_classes": ["${CLASS}"] }`
  if (!facts.bindingName) {
    plan.add(!facts.hasDurableObjects, facts.hasDurableObjects ? `add to "durable_objects".bindings: ${binding}` : `"durable_objects": { "bindings": [${binding}] }`, `the ${BINDING} binding`)
  }
  if (!facts.migrated) {
    plan.add(!facts.hasMigrations, facts.hasMigrations ? `add to "migrations": ${migration}` : `"migrations": [${migration}]`, 'the SQLite migration')
  }
  return plan.outcome(text, plan.pieces.length ? insertIntoObject(text, plan.pieces) : text, facts, '\n')
}

/** What an edit adds by itself, and what it can only ask the user to add (their file writes it another way). */
class Plan {
  readonly pieces: string[] = []
  readonly added: string[] = []
  readonly manual: string[] = []

  add(safe: boolean, piece: string, what: string): void {
    if (!safe) return void this.manual.push(piece)
    this.pieces.push(piece)
    this.added.push(what)
  }

  outcome(before: string, text: string, facts: ConfigFacts, separator: string): WranglerEdit {
    const bindingName = facts.bindingName ?? BINDING
    if (this.manual.length) return { kind: 'manual', lines: this.manual.join(separator), bindingName }
    return text === before ? { kind: 'unchanged', bindingName } : { kind: 'edited', text, added: this.added, bindingName }
  }
}

/** Inserts `entries` as the last properties of the top-level object, comma-correct, with comments and trailing commas kept. */
function insertIntoObject(text: string, entries: string[]): string {
  const { close, lastBefore } = scanTopLevel(text)
  const comma = lastBefore === '{' || lastBefore === ',' ? '' : ','
  const before = text.slice(0, close).replace(/\s*$/, '')
  return `${before}${comma}\n  ${entries.join(',\n  ')}\n${text.slice(close)}`
}

/**
 * Finds the `}` that closes the top-level object and the last significant
 * character before it, skipping strings and comments (JSONC has both).
 */
function scanTopLevel(text: string): { close: number; lastBefore: string | undefined } {
  let depth = 0
  let last: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i)
      i = end === -1 ? text.length : end
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 1
    } else if (c === '"') {
      i = endOfString(text, i)
      last = '"'
    } else if (!/\s/.test(c)) {
      if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') {
        depth--
        if (depth === 0 && c === '}') return { close: i, lastBefore: last }
      }
      last = c
    }
  }
  throw new Error('the config is not a JSON object')
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return text.length
}
