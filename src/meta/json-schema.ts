import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema'
import type { Schema } from '../core/schema'

/** A JSON value, as the generated files hold them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A JSON Schema (draft-07) object. */
export type JsonSchema = { [key: string]: JsonValue }

/**
 * Which side of a schema to describe. `input` is what a client sends (action
 * input, opening data): a pipeline stops before its first transform. `output`
 * is what a client receives (results, events): a pipeline starts from its last
 * schema.
 */
export type SchemaSide = 'input' | 'output'

/**
 * Converts a valibot schema to JSON Schema (draft-07), never throwing. Other
 * Standard Schema validators (zod, arktype) are described as external schemas.
 *
 * What cannot be said in JSON Schema is left out rather than failing
 * (`errorMode: 'ignore'`), so the result may accept more than valibot does:
 * - `check`, `custom`, `transform` and other code become nothing: `v.custom(...)`
 *   is `{}` (anything), a `v.check(...)` in a pipe adds no constraint.
 * - Types JSON has not (`v.date()`, `v.bigint()`, `v.map()`, ...) are `{}`.
 * - A transform in a pipe: the `input` side describes the value before it,
 *   the `output` side the last schema of the pipe (or, with none after the
 *   transform, the value before it too: valibot cannot know the result's type).
 * - A default given as a function (`v.optional(v.number(), () => Date.now())`)
 *   is left out, so the output stays the same from run to run.
 * - Recursive (`v.lazy`) schemas use `$defs` with `$ref: '#/$defs/<n>'`.
 * - If the converter still throws (a `lazy` getter that needs its input,
 *   say), the result is `{}` with a `$comment` saying why.
 *
 * `definitions` names schemas to reference rather than inline: wherever one
 * of these schema objects (the same object, not an equal one) occurs, the
 * result has `$ref: '#/$defs/<name>'`, and its `$defs` holds every one of
 * them, used or not. The AsyncAPI document uses this to keep the protocol's
 * shared schemas (RequestId, ErrorPayload) as single components.
 */
export function toJson(schema: Schema, side: SchemaSide, definitions?: Readonly<Record<string, Schema>>): JsonSchema {
  if (!isValibot(schema)) return externalSchema(schema)
  const config: ConversionConfig = {
    errorMode: 'ignore',
    typeMode: side,
    definitions: definitions as ConversionConfig['definitions'],
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      if (typeof (valibotSchema as { default?: unknown }).default !== 'function' || !('default' in jsonSchema)) return undefined
      const { default: _dropped, ...rest } = jsonSchema
      return rest
    },
  }
  try {
    return toJsonValue(toJsonSchema(schema as Parameters<typeof toJsonSchema>[0], config)) as JsonSchema
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    return { $schema: 'http://json-schema.org/draft-07/schema#', $comment: `Could not be converted from valibot: ${why}` }
  }
}

/** Only valibot schemas can be read; others are Standard Schema validators the converter does not know. */
function isValibot(schema: Schema): boolean {
  return (schema as { kind?: unknown }).kind === 'schema' && (schema as { '~standard': { vendor: string } })['~standard'].vendor === 'valibot'
}

/**
 * Another library's schema (zod, arktype, ...): it validates at run time, but
 * there is no JSON Schema of it to show, so metadata says which it is and
 * accepts anything.
 */
function externalSchema(schema: Schema): JsonSchema {
  const vendor = schema['~standard'].vendor
  return { $schema: 'http://json-schema.org/draft-07/schema#', description: `External schema (${vendor}): validated at run time, not described here`, 'x-schema-vendor': vendor }
}

/** Plain JSON: drops undefined and functions, bigints become strings, non-finite numbers null. */
function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
  return text === undefined ? null : (JSON.parse(text) as JsonValue)
}
