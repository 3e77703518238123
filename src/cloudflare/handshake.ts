import { exceeds } from '../core/bytes'
import { ChannelError, INTERNAL_ERROR } from '../core/errors'
import { boundError } from '../core/protocol/bounds'
import type { ErrorIssue } from '../core/protocol/frames'
import { HANDSHAKE_STATUS, handshakeCodeOf, type HandshakeErrorBody, type HandshakeErrorCode } from '../core/protocol/handshake'
import { parseWith } from '../core/schema'
import type { ChannelDefinition } from '../core/wiring/channel-definition'
import { shellLog } from './shell-log'

/**
 * Refuses an HTTP request before any socket exists: the status for `code`
 * from the protocol's one table, and `{ error: { code, message, issues? } }`,
 * bounded like every answer.
 */
export function handshakeError(code: HandshakeErrorCode, message: string, options: { issues?: ErrorIssue[] | undefined; headers?: HeadersInit } = {}): Response {
  const body: HandshakeErrorBody = { error: boundError(options.issues ? { code, message, issues: options.issues } : { code, message }) }
  return Response.json(body, { status: HANDSHAKE_STATUS[code], headers: options.headers })
}

/**
 * Refuses with what a thrown error says: a `ChannelError` maps to its own
 * status (400 for `INVALID_INPUT`, 401, 403), anything else is logged and
 * answered `INTERNAL` without details.
 */
export function handshakeErrorFor(error: unknown, log: { event: string; fields: Record<string, unknown> }): Response {
  if (error instanceof ChannelError) {
    const code = handshakeCodeOf(error.code)
    if (code !== 'INTERNAL') return handshakeError(code, error.message, { issues: error.issues })
  }
  shellLog.error(log.event, { ...log.fields, error })
  return handshakeError('INTERNAL', INTERNAL_ERROR.message)
}

/**
 * A channel's opening data from its route params and query: validated by the
 * channel's schema when it has one (transforms applied), else as given.
 * Throws `INVALID_INPUT`. The router runs it to refuse early and to give the
 * authenticator typed data; the object runs it again on the raw input, since
 * a schema's output need not survive a trip through headers.
 */
export function openingDataOf(channel: ChannelDefinition, input: Record<string, string>): Promise<unknown> | unknown {
  const text = JSON.stringify(input)
  if (exceeds(text, MAX_OPENING_DATA_BYTES)) {
    const bytes = new TextEncoder().encode(text).byteLength
    throw new ChannelError('INVALID_INPUT', `Opening data (the route's params and query) takes ${bytes} bytes; a connection keeps at most ${MAX_OPENING_DATA_BYTES}: send less in the URL, or send the rest in a first message`)
  }
  return channel.openingData ? parseWith(channel.openingData, input, 'Opening data') : input
}

/**
 * Opening data is kept with its connection, in the socket's attachment
 * (16 KiB for everything, session included), and crosses from router to
 * object in a header: refused early, with a 400 naming the limit, rather
 * than failing there as a 500.
 */
export const MAX_OPENING_DATA_BYTES = 8 * 1024
