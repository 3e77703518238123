import { WiringError } from '../errors'
import { describe, isPlainObject } from '../wiring/checks'

/** What a channel's `presence.of` is given: one connection, as it opened. */
export interface PresenceSource<OpeningData = unknown> {
  readonly channelId: string
  readonly session: unknown
  readonly openingData: OpeningData
}

/** `wireChannel({ presence: { ... } })`. */
export interface PresenceOptions<Data = unknown, OpeningData = unknown> {
  /**
   * What others see of a connection (JSON, at most `MAX_PRESENCE_BYTES` once encoded).
   * Default: the member's id (the session's `userId`, else the connection's id).
   * A handler may replace it later with `channel.setPresence(data)`.
   */
  of?: (source: PresenceSource<OpeningData>) => Data
  /**
   * Above this many members the room is large: `$presence` answers a sample and
   * watchers are sent the count (and the sample when it changes) instead of every
   * join and leave. Back to full lists at or below 90% of it. Default 100.
   */
  largeRoom?: number
  /** Members in a large room's sample. Default 20. */
  sample?: number
  /** Whether `$presence` needs a session. Default: the channel's `auth`. */
  auth?: boolean
}

/** A channel's presence settings, defaults filled in. */
export interface ResolvedPresence {
  readonly of: ((source: PresenceSource) => unknown) | undefined
  readonly largeRoom: number
  readonly sample: number
  readonly auth: boolean | undefined
}

export const DEFAULT_LARGE_ROOM = 100
export const DEFAULT_PRESENCE_SAMPLE = 20
/** Presence data is in every snapshot and diff and in each connection's attachment (16 KiB, shared with the session): kept small. */
export const MAX_PRESENCE_BYTES = 1024

/** Checks `wireChannel`'s `presence` field: `true`, options, or absent / `false` for none. */
export function presenceOptionsOf(value: unknown, where: string): ResolvedPresence | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return { of: undefined, largeRoom: DEFAULT_LARGE_ROOM, sample: DEFAULT_PRESENCE_SAMPLE, auth: undefined }
  if (!isPlainObject(value)) throw new WiringError(`${where}: presence must be true or { of?, largeRoom?, sample?, auth? }, got ${describe(value)}`)
  const { of, largeRoom = DEFAULT_LARGE_ROOM, sample = DEFAULT_PRESENCE_SAMPLE, auth } = value
  if (of !== undefined && typeof of !== 'function') throw new WiringError(`${where}: presence.of must be a function (connection) => data`)
  for (const [key, n] of [['largeRoom', largeRoom], ['sample', sample]] as const) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new WiringError(`${where}: presence.${key} must be a whole number of at least 1, got ${String(n)}`)
  }
  if (auth !== undefined && typeof auth !== 'boolean') throw new WiringError(`${where}: presence.auth must be true or false`)
  return { of: of as ResolvedPresence['of'], largeRoom: largeRoom as number, sample: Math.min(sample as number, largeRoom as number), auth }
}

/** A member is a user (the session's `userId`) or, for a connection without one, the connection itself. */
export function memberIdOf(session: unknown, channelId: string): string {
  const userId = isPlainObject(session) ? session.userId : undefined
  return typeof userId === 'string' || typeof userId === 'number' ? String(userId) : channelId
}
