import type { JsonSchema, JsonValue } from '../json-schema'
import { IdMap } from './ids'

/** A JSON Reference into the document. */
export type Ref = { $ref: string }

export function ref($ref: string): Ref {
  return { $ref }
}

/**
 * `components.schemas`: every schema of the document is written here once
 * and the messages point at it with `$ref`.
 *
 * A converted schema cannot be copied in as it is: in AsyncAPI a `$ref`
 * resolves against the whole document, so the `#/$defs/0` of a recursive
 * (`v.lazy`) schema would point nowhere. Its `$defs` are hoisted beside it
 * as components of their own, and its `$ref`s rewritten to them.
 */
export class SchemaComponents {
  readonly #schemas = new IdMap()
  /** `#/$defs/<name>` -> the component defined under that name. */
  readonly #defined = new Map<string, string>()

  /** Adds a schema under an id made from `wanted` (made unique); returns a reference to it. */
  add(wanted: string, schema: JsonSchema): Ref {
    return this.#put(this.#schemas.take(wanted), schema)
  }

  /**
   * Adds a schema under exactly `name`: one that other schemas refer to by
   * name, converted with it among `toJson`'s `definitions` (see
   * {@link linkDefined}). Define these first; a taken name throws.
   */
  define(name: string, schema: JsonSchema): Ref {
    const id = this.#schemas.take(name)
    if (id !== name) throw new Error(`components.schemas: "${name}" cannot be defined: it is taken or not a valid key`)
    this.#defined.set(`#/$defs/${escapePointer(name)}`, `#/components/schemas/${id}`)
    return this.#put(id, schema)
  }

  /**
   * A schema converted with `definitions` named like defined components,
   * pointed at those components: its `$ref: '#/$defs/<name>'` become
   * `#/components/schemas/<name>`, and the copies the converter put in
   * `$defs` are dropped. Other `$defs` stay, to be hoisted by {@link add}.
   */
  linkDefined(schema: JsonSchema): JsonSchema {
    const { $defs, ...body } = schema
    const linked = rewriteRefs(body, this.#defined) as JsonSchema
    if (!isObject($defs)) return linked
    const rest = Object.entries($defs).filter(([key]) => !this.#defined.has(`#/$defs/${escapePointer(key)}`))
    return rest.length > 0 ? { ...linked, $defs: rewriteRefs(Object.fromEntries(rest), this.#defined) } : linked
  }

  toObject(): { [id: string]: JsonValue } {
    return this.#schemas.toObject()
  }

  #put(id: string, schema: JsonSchema): Ref {
    const { $schema: _draft, $defs, definitions, ...body } = schema
    const renamed = new Map<string, string>()
    const hoisted: [string, JsonValue][] = []
    for (const [prefix, defs] of [['#/$defs/', $defs], ['#/definitions/', definitions]] as const) {
      if (!isObject(defs)) continue
      for (const key of Object.keys(defs).sort()) {
        const defId = this.#schemas.take(`${id}.${key}`)
        renamed.set(prefix + escapePointer(key), `#/components/schemas/${defId}`)
        hoisted.push([defId, defs[key]!])
      }
    }
    this.#schemas.set(id, rewriteRefs(body, renamed))
    for (const [defId, def] of hoisted) this.#schemas.set(defId, rewriteRefs(def, renamed))
    return ref(`#/components/schemas/${id}`)
  }
}

export function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Points a schema's `$ref`s through `renamed`; other `$ref`s are left as they are. */
function rewriteRefs(value: JsonValue, renamed: ReadonlyMap<string, string>): JsonValue {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renamed))
  if (!isObject(value)) return value
  // fromEntries defines own properties, so a "__proto__" property name stays a key.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? (renamed.get(item) ?? item) : rewriteRefs(item, renamed)]),
  )
}

/** A key as a JSON Pointer segment (RFC 6901). */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}
