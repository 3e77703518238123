import type { ErrorCode } from './frames'

/**
 * Close codes, and the rules for sending them. The client's reconnect policy
 * and PROTOCOL.md's table follow these.
 */
export const CloseCode = {
  /** Normal close: do not reconnect. */
  NORMAL: 1000,
  /** The server is going away (deploy, restart): reconnect. */
  GOING_AWAY: 1001,
  /** A policy refused the connection (sent by the platform or proxies): do not reconnect. */
  POLICY: 1008,
  /** No status in the close frame; describes a close, never sent. */
  NO_STATUS: 1005,
  /** The connection dropped without a close frame; describes a close, never sent. */
  ABNORMAL: 1006,
  /** A frame over the platform's 32 MiB limit. */
  TOO_LARGE: 1009,
  /** `onConnect` failed unexpectedly: reconnect with backoff. */
  INTERNAL: 1011,
  /** The platform restarts the service (a deploy, a runtime update): reconnect, spread out. */
  SERVICE_RESTART: 1012,
  /** The platform is overloaded: reconnect later, spread out. */
  TRY_AGAIN_LATER: 1013,
  /** The TLS handshake failed; describes a close, never sent. */
  TLS: 1015,
  /** `onConnect` rejected the opening data. */
  INVALID_OPENING: 4400,
  /** Unauthenticated: reconnect only with credentials. */
  UNAUTHENTICATED: 4401,
  /** Forbidden. */
  FORBIDDEN: 4403,
  /** The channel no longer exists (removed by a deploy). */
  CHANNEL_GONE: 4404,
  /** Silent past the channel's liveness limit (no keepalive, no message): presumed dead, closed. Reconnect. */
  SILENT: 4408,
  /** Rate limited: reconnect after a pause. */
  RATE_LIMITED: 4429,
  /** The server asks clients to move (planned maintenance, rebalancing): reconnect after the reason's `retryAfterMs`, spread out. */
  MOVING: 4503,
} as const

/**
 * Closes that many clients of a room get at once (a deploy, a restart, a
 * server asking them to move): each client waits a random part of a spread
 * before reconnecting, after the server's hint if it gave one, so that they
 * do not all come back in the same instant.
 */
export const RESTART_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART, CloseCode.TRY_AGAIN_LATER, CloseCode.MOVING])

/** The reason of a `MOVING` close: `retryAfterMs=<n>`, then what the server says, within the 123 bytes a reason may take. */
export function movingReason(retryAfterMs: number, why = ''): string {
  const hint = `retryAfterMs=${Math.max(0, Math.round(retryAfterMs))}`
  return clampCloseReason(why ? `${hint}; ${why}` : hint)
}

/** The hint a close reason carries (`retryAfterMs=<n>` at its start), capped at an hour; undefined if none. */
export function retryHintOf(reason: string): number | undefined {
  const hint = /^retryAfterMs=(\d{1,10})(?:;|$)/.exec(reason)
  return hint ? Math.min(Number(hint[1]), 3_600_000) : undefined
}

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode]

/**
 * Close codes of a binary stream's sockets (`/ws/channels/{id}`), on top of
 * 1000, which ends a stream cleanly: the writer's "that is all", the broker's
 * echo confirming it, and the broker's close of a reader that has everything.
 */
export const StreamCloseCode = {
  /** The writer (or a cancelling reader) gave up; the reason is theirs. The other end gets the same code and reason. */
  ABORTED: 4901,
  /** The stream expired: its ends never came, or it sat idle past its TTL. */
  EXPIRED: 4902,
  /** The writer sent a binary frame over 64 KiB; the stream is aborted. */
  FRAME_TOO_LARGE: 4903,
  /** The writer sent a text message over the documented size; the stream is aborted. */
  MESSAGE_TOO_LARGE: 4904,
  /** The writer sent past the credit the broker granted; the stream is aborted. */
  CREDIT_EXCEEDED: 4905,
  /** A reader sent something other than an ack it may send (binary, bad JSON, an ack past what it got); only that reader is closed. */
  PROTOCOL_ERROR: 4906,
} as const

/** Closes after which reconnecting cannot help: a normal close, a policy, bad opening data, auth, a removed channel. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.NORMAL,
  CloseCode.POLICY,
  CloseCode.INVALID_OPENING,
  CloseCode.UNAUTHENTICATED,
  CloseCode.FORBIDDEN,
  CloseCode.CHANNEL_GONE,
])

/** How a failed `onConnect` closes the socket, by the error's code: 1011 for anything unexpected. */
export function closeCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return CloseCode.UNAUTHENTICATED
    case 'FORBIDDEN':
      return CloseCode.FORBIDDEN
    case 'INVALID_INPUT':
      return CloseCode.INVALID_OPENING
    case 'RATE_LIMITED':
      return CloseCode.RATE_LIMITED
    default:
      return CloseCode.INTERNAL
  }
}

/** Codes a server may put in a close frame: 1000, or the 3000–4999 application range. */
export function isSendableCloseCode(code: number): boolean {
  return code === CloseCode.NORMAL || (Number.isInteger(code) && code >= 3000 && code <= 4999)
}

/** Codes a close frame may carry on the wire (RFC 6455 7.4): 1000-1003, 1007-1014, 3000-4999. */
export function isWireCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
}

/**
 * The code to answer a client's close with, completing the closing handshake
 * (the hibernation API leaves it to us), or undefined for no answer:
 * - 1006 and 1015: no close frame came and the transport is gone. Writing a
 *   close then can fail asynchronously, past any try/catch, as an unhandled
 *   rejection; there is nobody to read it anyway.
 * - 1005: a close frame came, without a code. The peer waits for ours (a
 *   Workers-pool test shows its close never completes otherwise): 1000.
 * - anything else is echoed, or answered 1000 if it cannot go on the wire.
 */
export function closeReplyFor(code: number): number | undefined {
  if (code === CloseCode.ABNORMAL || code === CloseCode.TLS) return undefined
  return isWireCloseCode(code) ? code : CloseCode.NORMAL
}

const MAX_CLOSE_REASON_BYTES = 123

/** Close reasons are limited to 123 UTF-8 bytes; cut on a character boundary. */
export function clampCloseReason(reason: string): string {
  // Made here, not at module level, so a browser bundle that never closes with a reason can drop it.
  const encoder = new TextEncoder()
  if (encoder.encode(reason).length <= MAX_CLOSE_REASON_BYTES) return reason
  let out = ''
  let bytes = 0
  for (const char of reason) {
    const size = encoder.encode(char).length
    if (bytes + size > MAX_CLOSE_REASON_BYTES) break
    out += char
    bytes += size
  }
  return out
}
