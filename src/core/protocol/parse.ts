import { ChannelError } from '../errors'
import { BUILT_IN_ROUTING_KEY, isBuiltInName } from './actions'
import type { RequestId } from './frames'

/** A text frame from the client, after parsing and before routing. */
export interface IncomingFrame {
  /** The routing key's value, when the frame has one. */
  action?: string
  id?: RequestId
  /** `data` if present, otherwise every field but the routing key and `id`. */
  input: unknown
}

export const MAX_ID_LENGTH = 128

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
  const builtIn = routingKey !== BUILT_IN_ROUTING_KEY && typeof fields[BUILT_IN_ROUTING_KEY] === 'string' && isBuiltInName(fields[BUILT_IN_ROUTING_KEY])
  const key = builtIn ? BUILT_IN_ROUTING_KEY : routingKey
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
