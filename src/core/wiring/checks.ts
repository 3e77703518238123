import { WiringError } from '../errors'
import type { ReplayOptions } from '../event-hub/topics'
import { isStandardSchema } from '../schema'

// Checks of wiring input. Each names the field, so a mistake fails at import
// time with a message that says where, not at the first message.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Refuses a schema field that holds no Standard Schema validator (valibot, zod, arktype), naming the field. */
export function checkSchema(value: unknown, where: string): void {
  if (value !== undefined && !isStandardSchema(value)) {
    throw new WiringError(`${where} must be a schema (valibot, or any Standard Schema validator such as zod or arktype), got ${describe(value)}`)
  }
}

export function optionalBoolean(value: unknown, where: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw new WiringError(`${where} must be true or false, got ${describe(value)}`)
}

export function functionList<F>(value: unknown, where: string): F[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'function')) throw new WiringError(`${where} must be an array of middleware functions`)
  return value as F[]
}

export function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw new WiringError(`${where} must be an array of strings`)
  return value
}

export function assertPermissions(value: unknown, where: string): void {
  const ok = isPlainObject(value) && Object.values(value).every((p) => typeof p === 'function' || (Array.isArray(p) && p.every((q) => typeof q === 'function')))
  if (!ok) throw new WiringError(`${where} must be a record of pikkuPermission functions (or arrays of them)`)
}

export function checkReplay(value: unknown, where: string): ReplayOptions | false | undefined {
  if (value === undefined || value === false) return value
  const ok =
    isPlainObject(value) &&
    Object.entries(value).every(([key, n]) => (key === 'count' || key === 'maxAgeMs') && (n === undefined || (typeof n === 'number' && Number.isInteger(n) && n > 0)))
  if (!ok) throw new WiringError(`${where}: replay must be false or { count?, maxAgeMs? } with whole positive numbers`)
  return value as ReplayOptions
}

/** What a wrong value was, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}
