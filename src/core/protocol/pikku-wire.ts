import { BUILT_IN_ROUTING_KEY, isBuiltInName, PONG_FRAME, routingFieldFor } from './actions'
import { boundEcho, boundError } from './bounds'
import { encodePayload } from './encode'
import { FrameError, type IncomingFrame } from './parse'
import type { OutboundFrame, WireFormat } from './wire-format'

/**
 * Pikku wire mode: the frames Pikku's own WebSocket client sends and expects,
 * for channels wired with `protocol: 'pikku'` (PROTOCOL.md, "Pikku wire mode").
 *
 * - In: `{ [routingKey]: action, ...input }`. There are no request ids: `id`
 *   and `data` are input like any other field. A frame naming no wired action
 *   goes to `onMessage` whole, and text that is not JSON as the string.
 * - Out: a result flat, echoing the routing key (`{ ...result, action }`, or
 *   `{ action, result }` for anything that is not an object), everything else
 *   (`channel.send`, events) as its bare JSON, an error as
 *   `{ action, error: { code, message, issues? } }`. No welcome, no `type`.
 */

/** The actions a channel wires: a frame is routed only when it names one of them (Pikku's rule). */
export interface ActionNames {
  has(name: string): boolean
}

/** Each frame type's own fields; anything else on a frame was added by channel middleware. */
const OWN_FIELDS: Record<OutboundFrame['type'], ReadonlySet<string>> = {
  reply: new Set(['type', 'action', 'id', 'data']),
  message: new Set(['type', 'data']),
  event: new Set(['type', 'topic', 'data', 'seq']),
}

export function pikkuWire(routingKey: string, actions: ActionNames): WireFormat {
  const parse = (text: string, needsAction: boolean): IncomingFrame => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      if (!needsAction) return { input: text }
      throw new FrameError(undefined, undefined, 'Frame is not valid JSON')
    }
    if (!isRecord(value)) {
      if (!needsAction) return { input: value }
      throw new FrameError(undefined, undefined, 'Frame must be a JSON object')
    }
    // Built-in `$` actions are named by `action` on every channel, as in v1.
    const builtIn = value[BUILT_IN_ROUTING_KEY]
    if (typeof builtIn === 'string' && isBuiltInName(builtIn)) return { action: builtIn, input: without(value, BUILT_IN_ROUTING_KEY) }
    const named = value[routingKey]
    if (typeof named === 'string' && named.length > 0 && (needsAction || actions.has(named))) return { action: named, input: without(value, routingKey) }
    if (!needsAction) return { input: value }
    throw new FrameError(undefined, undefined, named === undefined ? `Frame has no "${routingKey}"` : `"${routingKey}" must be a non-empty string`)
  }

  return {
    protocol: 'pikku',
    parse,
    correlate(text) {
      try {
        return { action: parse(text, true).action }
      } catch {
        return {}
      }
    },
    // A routed action is always answered (Pikku's server echoes the key even for undefined); onMessage only with a result.
    acknowledges: (frame) => frame.action !== undefined,
    opening: (_channelId, result) => ({ last: result === undefined ? undefined : encodePayload(result) }),
    encode(frame) {
      const body = frame.type === 'reply' && frame.action !== undefined ? routed(routingFieldFor(frame.action, routingKey), frame.action, frame.data) : frame.data
      const added = addedFields(frame)
      return encodePayload(added && isSpreadable(body) ? { ...body, ...added } : body)
    },
    error(action, _id, error) {
      const bounded = boundError(error)
      return JSON.stringify(action === undefined ? { error: bounded } : { [routingFieldFor(action, routingKey)]: boundEcho(action), error: bounded })
    },
    pong: () => PONG_FRAME,
    event(event, to) {
      to.send(event.bytes ?? event.json ?? 'null')
    },
  }
}

/**
 * A routed action's result, as Pikku's server answers it: an object with the
 * routing key added, anything else under `result`, nothing but the key for
 * undefined. Arrays, and objects with a JSON form of their own (a Date), are
 * wrapped: spreading them would lose them.
 */
function routed(key: string, action: string, result: unknown): Record<string, unknown> {
  if (result === undefined) return { [key]: action }
  if (isSpreadable(result)) return { ...result, [key]: action }
  return { [key]: action, result }
}

/** Fields a channel middleware added to a frame (`{ ...event, sentAt }`), or undefined when there are none. */
function addedFields(frame: OutboundFrame): Record<string, unknown> | undefined {
  const own = OWN_FIELDS[frame.type]
  let added: [string, unknown][] | undefined
  for (const key of Object.keys(frame)) {
    if (!own?.has(key) && frame[key] !== undefined) (added ??= []).push([key, frame[key]])
  }
  return added && Object.fromEntries(added)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An object whose JSON is its own fields, so they can be spread into a frame. */
function isSpreadable(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.toJSON !== 'function'
}

// fromEntries defines own properties, so a "__proto__" field stays a field.
function without(fields: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => name !== key))
}
