import type { ErrorCode, ErrorIssue } from './frames'

/**
 * Why an HTTP request to a channel (an upgrade, or a publish) was refused,
 * and the status that says so. Refusals happen before any socket exists.
 */
export const HANDSHAKE_STATUS = {
  /** A request a channel object cannot take: only upgrades forwarded by `channels()` reach it. */
  BAD_REQUEST: 400,
  /** Opening data (or a publish body) fails its schema. */
  INVALID_INPUT: 400,
  /** The upgrade authenticator (or the publish secret) rejected the credentials. */
  UNAUTHENTICATED: 401,
  /** The `Origin` is not allowed, or the authenticator refused the caller. */
  FORBIDDEN: 403,
  /** No channel is wired at that path (or by that name). */
  NOT_FOUND: 404,
  /** A publish body, or the event in it, is larger than the route or the channel allows. */
  TOO_LARGE: 413,
  /** That end of a stream is open on another socket. */
  STREAM_BUSY: 409,
  /** The stream was aborted; the message carries the reason. */
  STREAM_ABORTED: 410,
  /** The stream expired (its ends never came, or it sat idle past its TTL). */
  STREAM_EXPIRED: 410,
  /** That end of the stream is finished: the writer ended it, or the reader has read it to the end. */
  STREAM_FINISHED: 410,
  /** Not a `GET` with `Upgrade: websocket`. */
  UPGRADE_REQUIRED: 426,
  /** The server failed (an authenticator crashed, a missing binding). */
  INTERNAL: 500,
  /** The channel instance holds its maximum number of connections. */
  CHANNEL_FULL: 503,
} as const satisfies Record<string, number>

export type HandshakeErrorCode = keyof typeof HANDSHAKE_STATUS

/** The JSON body of a refused request: `{ "error": { code, message, issues? } }`. */
export interface HandshakeErrorBody {
  error: { code: HandshakeErrorCode; message: string; issues?: ErrorIssue[]; moreIssues?: number }
}

/** The handshake code for an error a handler or authenticator threw, if it has one of its own. */
export function handshakeCodeOf(code: ErrorCode): HandshakeErrorCode {
  return code === 'INVALID_INPUT' || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'INTERNAL'
}

/**
 * The header of a handshake probe. A browser cannot see why an upgrade was
 * refused (the socket just closes, 1006), so a client whose connection closed
 * before its welcome sends a plain `GET` of the same URL with this header:
 * the router runs the checks it runs for an upgrade, without upgrading, and
 * answers their refusal, or 204 when the upgrade would be accepted.
 */
export const PROBE_HEADER = 'x-pikku-probe'

/** The probe answers that retrying cannot change, by status: a client stops on these. */
export const FINAL_PROBE_STATUS = { 400: 'INVALID_INPUT', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' } as const satisfies Record<number, HandshakeErrorCode>
