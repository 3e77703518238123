import { safeParse, safeParseAsync, type GenericSchema } from 'valibot'
import { ChannelError } from './errors'
import type { ErrorIssue } from './protocol/frames'

/**
 * A Standard Schema v1 validator (standardschema.dev): what valibot, zod
 * (3.24+ and 4) and arktype all implement. `input`/`output` schemas,
 * `openingData` and a topic's `schema` accept any of them; valibot is the
 * default and the one metadata can turn into JSON Schema.
 */
export interface StandardSchema<In = unknown, Out = In> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Out> | Promise<StandardResult<Out>>
    readonly types?: { readonly input: In; readonly output: Out } | undefined
  }
}

/** What a Standard Schema's `validate` returns: the output, or the issues. */
export type StandardResult<Out> = { readonly value: Out; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] }

/** One problem as a Standard Schema reports it; path items are keys or `{ key }` (valibot's map keys can be anything). */
export interface StandardIssue {
  readonly message: string
  readonly path?: readonly (PropertyKey | { readonly key: unknown })[] | undefined
}

/** A schema (any Standard Schema validator) whose output is `T`. */
export type Schema<T = unknown> = StandardSchema<any, T>

/** A schema whose input and output types agree: it checks a value without changing its type. */
export type OutputSchema<T = unknown> = StandardSchema<T, T>

/** Whether a value is a Standard Schema validator: what wiring checks before accepting one. */
export function isStandardSchema(value: unknown): value is StandardSchema {
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null | undefined)?.['~standard']
  return typeof standard === 'object' && standard !== null && standard.version === 1 && typeof standard.validate === 'function'
}

/**
 * A synchronous valibot schema: validated without a promise, on the hot path
 * of every call. Every other schema (async valibot, zod, arktype) may answer
 * asynchronously, so callers take the async path for it.
 */
export function isSyncValibot(schema: Schema): schema is GenericSchema<any, any> & Schema {
  return (schema as { kind?: unknown }).kind === 'schema' && (schema as { async?: unknown }).async === false && typeof (schema as { '~run'?: unknown })['~run'] === 'function'
}

/** Flattens issues (nested ones included) into what a client can show: a message, and a path of string or number keys. */
export function toIssues(issues: readonly StandardIssue[]): ErrorIssue[] {
  const out: ErrorIssue[] = []
  for (const issue of issues) {
    // Array.from, not map: some libraries' paths are Array subclasses, and map would keep the subclass.
    const path = issue.path && Array.from(issue.path, (item) => (typeof item === 'object' && item !== null ? item.key : item))
    out.push(path && path.every((k) => typeof k === 'string' || typeof k === 'number') ? { message: issue.message, path: path as (string | number)[] } : { message: issue.message })
  }
  return out
}

/**
 * Validates `value` against `schema` and returns the schema's output
 * (transforms applied). Throws `INVALID_INPUT` with the issues.
 */
export async function parseWith<T>(schema: Schema<T>, value: unknown, what: string): Promise<T> {
  if (isSyncValibot(schema)) return parseSync(schema, value, what)
  if ((schema as { kind?: unknown; async?: unknown }).kind === 'schema' && (schema as { async?: unknown }).async === true) {
    const result = await safeParseAsync(schema as never, value)
    return result.success ? (result.output as T) : invalid(result.issues, what)
  }
  const result = await schema['~standard'].validate(value)
  return result.issues ? invalid(result.issues, what) : result.value
}

/** {@link parseWith} for a synchronous valibot schema, without a promise: the hot path of every validated call. */
export function parseSync<T>(schema: GenericSchema<any, T>, value: unknown, what: string): T {
  const result = safeParse(schema, value)
  return result.success ? result.output : invalid(result.issues, what)
}

function invalid(issues: readonly StandardIssue[], what: string): never {
  throw new ChannelError('INVALID_INPUT', `${what} is invalid: ${issues[0]?.message ?? 'rejected by its schema'}`, toIssues(issues))
}
