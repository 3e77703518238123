import { WiringError } from './errors'

/**
 * Liveness of hibernated sockets. A socket can die without a close frame (a
 * laptop lid, a NAT that forgot it, a half-open TCP connection); nothing then
 * tells the object, and its next message is lost. So an alarm, set only while
 * the instance has connections, closes every socket that has been silent for
 * longer than `timeoutMs`: no keepalive answered by the platform (the
 * auto-response, which does not wake the object) and no message.
 */
export interface Liveness {
  /** Silence after which a socket counts as dead and is closed with 4408. */
  readonly timeoutMs: number
  /** How often the alarm looks: a third of the timeout unless set. */
  readonly checkEveryMs: number
  /** A connection's last message is saved in its attachment at most this often (a sixth of the timeout), so the check works after a wake. */
  readonly saveSeenEveryMs: number
}

/** 90 s: three keepalives of the typed client (one per 30 s of idle) missed in a row. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 90_000

/** The channel's `liveness` option, checked where it is written: `false` for none, `{ timeoutMs }` to tune. */
export function livenessOf(option: unknown, where: string): Liveness | undefined {
  if (option === false) return undefined
  if (option !== undefined && (typeof option !== 'object' || option === null)) throw new WiringError(`${where}: liveness must be false or { timeoutMs?, checkEveryMs? }`)
  const { timeoutMs: timeout, checkEveryMs: every } = (option ?? {}) as { timeoutMs?: unknown; checkEveryMs?: unknown }
  const ms = (value: unknown, name: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 100) throw new WiringError(`${where}: liveness.${name} must be a number of ms, at least 100`)
    return value
  }
  const timeoutMs = timeout === undefined ? DEFAULT_LIVENESS_TIMEOUT_MS : ms(timeout, 'timeoutMs')
  const checkEveryMs = every === undefined ? Math.ceil(timeoutMs / 3) : ms(every, 'checkEveryMs')
  return Object.freeze({ timeoutMs, checkEveryMs, saveSeenEveryMs: Math.ceil(timeoutMs / 6) })
}

/** The close reason of a silent socket. */
export function silentReason(liveness: Liveness): string {
  const limit = liveness.timeoutMs >= 10_000 ? `${Math.round(liveness.timeoutMs / 1000)} s` : `${liveness.timeoutMs} ms`
  return `No keepalive or message for ${limit}`
}

/** Whether a connection last heard from at `lastSeen` (ms) is past the limit at `now`. */
export function isSilent(lastSeen: number, now: number, liveness: Liveness): boolean {
  return now - lastSeen > liveness.timeoutMs
}
