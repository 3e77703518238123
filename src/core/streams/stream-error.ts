import { StreamCloseCode } from '../protocol/close'

/** Why a stream end failed. */
export type StreamErrorCode =
  /** The other end aborted; `message` is its reason. */
  | 'ABORTED'
  /** The stream expired: an end never came, or it sat idle past its TTL. */
  | 'EXPIRED'
  /** This end is already finished (the writer ended the stream, or it was read to the end). */
  | 'FINISHED'
  /** This end is open on another socket. */
  | 'BUSY'
  /** The key does not open this end. */
  | 'FORBIDDEN'
  /** No such stream (never made, or cleaned up after it finished). */
  | 'NOT_FOUND'
  /** The ref is broken: missing fields, a bad id or key, a wrong direction. */
  | 'INVALID_REF'
  /** Bytes or messages after `close()` or `abort()`. */
  | 'CLOSED'
  /** The broker refused a frame: too large, past credit, or a bad control frame. */
  | 'REFUSED'
  /** The broker could not be reached, even after retrying. */
  | 'UNREACHABLE'

export class StreamError extends Error {
  override readonly name = 'StreamError'
  constructor(
    readonly code: StreamErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** The error a close from the broker means, or undefined for a close worth reconnecting after (a drop, a deploy). */
export function closeError(code: number, reason: string): StreamError | undefined {
  switch (code) {
    case StreamCloseCode.ABORTED:
      return new StreamError('ABORTED', reason || 'The stream was aborted')
    case StreamCloseCode.EXPIRED:
      return new StreamError('EXPIRED', reason || 'The stream expired')
    case StreamCloseCode.FRAME_TOO_LARGE:
    case StreamCloseCode.MESSAGE_TOO_LARGE:
    case StreamCloseCode.CREDIT_EXCEEDED:
    case StreamCloseCode.PROTOCOL_ERROR:
      return new StreamError('REFUSED', `${reason} (close ${code})`)
    default:
      return undefined
  }
}

const REFUSALS: Record<string, StreamErrorCode> = {
  INVALID_INPUT: 'INVALID_REF',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  STREAM_BUSY: 'BUSY',
  STREAM_ABORTED: 'ABORTED',
  STREAM_EXPIRED: 'EXPIRED',
  STREAM_FINISHED: 'FINISHED',
}

/**
 * The error a refused opening means, from its status and JSON body, or
 * undefined when retrying may help (a 5xx, or a status we do not know).
 */
export function refusalError(status: number, body: unknown): StreamError | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
  const code = typeof error?.code === 'string' ? REFUSALS[error.code] : undefined
  if (!code || status < 400 || status >= 500) return undefined
  return new StreamError(code, typeof error?.message === 'string' ? error.message : `Refused with ${status}`)
}
