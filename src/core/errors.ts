import type { ErrorCode, ErrorIssue, ErrorPayload } from './protocol/frames'

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

/**
 * Server code used EventHub wrongly: a malformed or undeclared topic, an
 * event that fails its topic's schema or is too large. The publisher's bug:
 * inside a handler it answers `INTERNAL`; from outside, `publisher(env)`
 * reports it as a `PublishError`.
 */
export class EventHubError extends Error {
  override readonly name = 'EventHubError'

  constructor(
    problem: string,
    /** `TOO_LARGE` for an event no subscriber could be sent; the publish route answers it with 413. */
    readonly code: 'INVALID_INPUT' | 'TOO_LARGE' = 'INVALID_INPUT',
  ) {
    super(`eventHub: ${problem}`)
  }

  /** The problem without the `eventHub:` prefix. */
  get problem(): string {
    return this.message.slice('eventHub: '.length)
  }
}

/** What a client sees of any failure that is not a `ChannelError`: never the details. */
export const INTERNAL_ERROR: ErrorPayload = { code: 'INTERNAL', message: 'Internal error' }
