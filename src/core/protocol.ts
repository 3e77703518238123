import { ChannelError, type ErrorPayload } from './errors'

/** A request id as the client sent it; echoed back untouched. */
export type RequestId = string | number

/** A text frame from the client, after parsing and before routing. */
export interface IncomingFrame {
  /** The routing key's value, when the frame has one. */
  action?: string
  id?: RequestId
  /** `data` if present, otherwise every field but the routing key and `id`. */
  input: unknown
}

/** Keepalive that `setWebSocketAutoResponse` answers without waking the object. */
export const PING_FRAME = '{"action":"$ping"}'
export const PONG_FRAME = '{"type":"pong"}'

const MAX_ID_LENGTH = 128

function readId(value: unknown): RequestId | undefined {
  if (typeof value === 'string' && value.length <= MAX_ID_LENGTH) return value
  if (typeof value === 'number' && Number.isFinite(value)) return value
  return undefined
}

/**
 * Parses one text frame. Throws `BAD_MESSAGE` (carrying whatever `id` and
 * action could be read, so the client can still correlate the error).
 * `needsAction` is false on channels with an `onMessage` fallback, which
 * accept frames without a routing key.
 */
export function parseFrame(text: string, routingKey: string, needsAction: boolean): IncomingFrame {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ChannelError('BAD_MESSAGE', 'Frame is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ChannelError('BAD_MESSAGE', 'Frame must be a JSON object')
  }
  const fields = value as Record<string, unknown>
  const rawId = fields.id
  const id = readId(rawId)
  // Built-in `$` actions are always named by "action", whatever field the channel routes on.
  const key = routingKey !== 'action' && typeof fields.action === 'string' && fields.action.startsWith('$') ? 'action' : routingKey
  const rawAction = fields[key]
  const action = typeof rawAction === 'string' && rawAction.length > 0 ? rawAction : undefined
  if (rawId !== undefined && id === undefined) {
    throw new FrameError(action, undefined, `"id" must be a string (up to ${MAX_ID_LENGTH} characters) or a finite number`)
  }
  if (rawAction !== undefined && action === undefined) {
    throw new FrameError(undefined, id, `"${key}" must be a non-empty string`)
  }
  if (action === undefined && needsAction) {
    throw new FrameError(undefined, id, `Frame has no "${key}"`)
  }
  return { action, id, input: Object.hasOwn(fields, 'data') ? fields.data : rest(fields, key) }
}

/** A `BAD_MESSAGE` that still knows the id/action it could read. */
export class FrameError extends ChannelError {
  constructor(
    readonly action: string | undefined,
    readonly id: RequestId | undefined,
    message: string,
  ) {
    super('BAD_MESSAGE', message)
  }
}

// fromEntries defines own properties, so a "__proto__" field stays a field.
function rest(fields: Record<string, unknown>, routingKey: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => key !== routingKey && key !== 'id'))
}

// Encoders. JSON.stringify drops undefined fields, which is exactly the
// protocol's "absent when there is nothing to say".

export const encodeWelcome = (channelId: string, data: unknown): string =>
  JSON.stringify({ type: 'welcome', channelId, data })

export const encodeReply = (action: string | undefined, id: RequestId | undefined, data: unknown): string =>
  JSON.stringify({ type: 'reply', action, id, data })

export const encodeError = (action: string | undefined, id: RequestId | undefined, error: ErrorPayload): string =>
  JSON.stringify({ type: 'error', action, id, error })

export const encodeMessage = (data: unknown): string => JSON.stringify({ type: 'message', data })

export const encodePong = (id: RequestId | undefined): string =>
  id === undefined ? PONG_FRAME : JSON.stringify({ type: 'pong', id })

/** Close codes this runtime uses; see PROTOCOL.md. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  TOO_LARGE: 1009,
  INTERNAL: 1011,
  TLS: 1015,
  INVALID_OPENING: 4400,
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  CHANNEL_GONE: 4404,
  RATE_LIMITED: 4429,
} as const

/** Codes a server may put in a close frame: 1000, or the 3000–4999 application range. */
export function isSendableCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999)
}

const MAX_CLOSE_REASON_BYTES = 123

/** Close reasons are limited to 123 UTF-8 bytes; cut on a character boundary. */
export function clampCloseReason(reason: string): string {
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
