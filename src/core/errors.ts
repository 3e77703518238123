/**
 * The closed set of error codes a client can receive (protocol v1).
 * Adding a code is a protocol change: clients switch on these.
 */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'UNKNOWN_ACTION',
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TOO_LARGE',
  'BINARY_NOT_SUPPORTED',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** One validation problem, reduced to what a client can act on. */
export interface ErrorIssue {
  message: string
  /** Keys from the root of the input to the offending value. */
  path?: (string | number)[]
}

/** The `error` object of an error frame. */
export interface ErrorPayload {
  code: ErrorCode
  message: string
  issues?: ErrorIssue[]
}

/**
 * An error meant for the client. Throw it from a handler to answer with a
 * specific code; anything else a handler throws becomes `INTERNAL`.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError'

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message)
  }

  toPayload(): ErrorPayload {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message }
  }
}

/** A mistake in `wireChannel`/`wireRPC` input, reported when the wiring runs. */
export class WiringError extends Error {
  override readonly name = 'WiringError'
}

export const INTERNAL_ERROR: ErrorPayload = { code: 'INTERNAL', message: 'Internal error' }
