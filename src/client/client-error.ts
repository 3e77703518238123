import type { ErrorCode, ErrorIssue } from '../core/protocol/frames'

/**
 * Codes a client call can fail with: the protocol's own, plus what only the
 * client can see.
 * - `TIMEOUT`: no answer in time (the action may still have run).
 * - `ABORTED`: the caller's AbortSignal fired.
 * - `DISCONNECTED`: the connection dropped while the request was in flight (it may have run).
 * - `CLOSED`: the client was closed, or the server closed it for good.
 * - `BUFFER_FULL`: too many requests queued while disconnected.
 * - `NOT_FOUND`: the URL reaches no channel (the handshake probe's 404).
 *
 * A handshake refusal the handshake probe learned (`details.status` set) has
 * the code of its body: `INVALID_INPUT`, `UNAUTHENTICATED`, `FORBIDDEN` or
 * `NOT_FOUND`.
 */
export type ClientErrorCode = ErrorCode | 'TIMEOUT' | 'ABORTED' | 'DISCONNECTED' | 'CLOSED' | 'BUFFER_FULL' | 'NOT_FOUND'

/** A failed call: the server's `error` frame, or a client-side failure. */
export class ChannelClientError extends Error {
  override readonly name = 'ChannelClientError'

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** `status`: the HTTP status of a refused handshake, as the handshake probe learned it. */
    readonly details: { action?: string; id?: string | number; issues?: ErrorIssue[]; status?: number } = {},
  ) {
    super(message)
  }

  get issues(): ErrorIssue[] | undefined {
    return this.details.issues
  }
}
