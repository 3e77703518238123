import { safeParse, safeParseAsync, type BaseIssue, type GenericSchema, type GenericSchemaAsync } from 'valibot'
import { ChannelError } from './errors'
import type { ErrorIssue } from './protocol/frames'

/** A valibot schema (sync or async) whose output is `T`. */
export type Schema<T = unknown> = GenericSchema<any, T> | GenericSchemaAsync<any, T>

/** A schema whose input and output types agree: it checks a value without changing its type. */
export type OutputSchema<T = unknown> = GenericSchema<T, T> | GenericSchemaAsync<T, T>

/** Flattens valibot issues (nested ones included) into what a client can show. */
export function toIssues(issues: readonly BaseIssue<unknown>[]): ErrorIssue[] {
  const out: ErrorIssue[] = []
  for (const issue of issues) {
    const path = issue.path?.map((item) => item.key as string | number)
    out.push(path && path.every((k) => typeof k === 'string' || typeof k === 'number') ? { message: issue.message, path } : { message: issue.message })
  }
  return out
}

/**
 * Validates `value` against `schema` and returns the schema's output
 * (transforms applied). Throws `INVALID_INPUT` with the issues.
 */
export async function parseWith<T>(schema: Schema<T>, value: unknown, what: string): Promise<T> {
  return schema.async ? settle(await safeParseAsync(schema, value), what) : parseSync(schema, value, what)
}

/** {@link parseWith} for a synchronous schema, without a promise: the hot path of every validated call. */
export function parseSync<T>(schema: GenericSchema<any, T>, value: unknown, what: string): T {
  return settle(safeParse(schema, value), what)
}

function settle<T>(result: { success: boolean; output: unknown; issues?: readonly BaseIssue<unknown>[] }, what: string): T {
  if (result.success) return result.output as T
  const issues = result.issues!
  throw new ChannelError('INVALID_INPUT', `${what} is invalid: ${issues[0]!.message}`, toIssues(issues))
}
