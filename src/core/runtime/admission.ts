import { exceeds } from '../bytes'
import { PLATFORM_MAX_MESSAGE_SIZE } from '../limits'
import { CloseCode } from '../protocol/close'
import type { ErrorPayload, RequestId } from '../protocol/frames'
import type { WireFormat } from '../protocol/wire-format'
import type { Connection } from './connection'
import { TokenBucket } from './token-bucket'

/**
 * Why a frame is not handled: an error frame (correlated with the frame's
 * action and id when it is cheap to read them), or a close for a connection
 * that keeps going.
 */
export type Refusal = { error: ErrorPayload; correlate: boolean; close?: undefined } | { close: number; reason: string }

/**
 * Whether a frame may be handled, under the limits its connection opened
 * with: the connection's rate first, so that every frame counts, whatever
 * becomes of it (too large, not JSON, an unknown action), then its size.
 * Returns the refusal, or undefined to go on.
 */
export function admit(conn: Connection, message: string | ArrayBuffer): Refusal | undefined {
  const { maxMessageSize, rateLimit } = conn.record.limits
  const tooLarge = exceeds(message, maxMessageSize)
  // Past the platform's own limit, do what the platform does in production, so local runs behave alike.
  if (tooLarge && exceeds(message, PLATFORM_MAX_MESSAGE_SIZE)) return { close: CloseCode.TOO_LARGE, reason: 'Frame exceeds the 32 MiB platform limit' }
  if (rateLimit) {
    const now = Date.now()
    conn.bucket ??= new TokenBucket(rateLimit, now)
    if (!conn.bucket.take(now)) {
      if (conn.bucket.refusedInARow > rateLimit.closeAfter) return { close: CloseCode.RATE_LIMITED, reason: 'Rate limited' }
      // A frame too large is never read, not even to correlate the error.
      return { error: { code: 'RATE_LIMITED', message: 'Too many messages; slow down' }, correlate: !tooLarge }
    }
  }
  if (tooLarge) return { error: { code: 'TOO_LARGE', message: `Frame is larger than this channel's limit of ${maxMessageSize} bytes` }, correlate: false }
  return undefined
}

/** The error frame for a refused frame, correlated with its action and id when the refusal allows reading them. */
export function refusalFrame(message: string | ArrayBuffer, refusal: { error: ErrorPayload; correlate: boolean }, wire: WireFormat): string {
  const { action, id }: { action?: string; id?: RequestId } = refusal.correlate && typeof message === 'string' ? wire.correlate(message) : {}
  return wire.error(action, id, refusal.error)
}
