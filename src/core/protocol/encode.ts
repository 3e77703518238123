import { PONG_FRAME, routingFieldFor } from './actions'
import { boundEcho, boundError } from './bounds'
import type { ErrorPayload, PresenceFrame, RequestId, ServerFrame } from './frames'

// Every frame leaves through these encoders. JSON.stringify drops undefined
// fields, which is exactly the protocol's "absent when there is nothing to say".

/** Any server frame, as built by hand or by channel middleware. */
export const encodeFrame = (frame: ServerFrame): string => JSON.stringify(frame)

export const encodeWelcome = (channelId: string, data: unknown, retryWindowMs?: number): string => JSON.stringify({ type: 'welcome', channelId, data, retryWindowMs })

export const encodeReply = (action: string | undefined, id: RequestId | undefined, data: unknown): string =>
  JSON.stringify({ type: 'reply', action, id, data })

/** Bounded, whatever the client sent: the echoed action and the error itself (see `ANSWER_BOUNDS`). */
export const encodeError = (action: string | undefined, id: RequestId | undefined, error: ErrorPayload): string =>
  JSON.stringify({ type: 'error', action: boundEcho(action), id, error: boundError(error) })

export const encodeMessage = (data: unknown): string => JSON.stringify({ type: 'message', data })

export const encodePong = (id: RequestId | undefined): string => (id === undefined ? PONG_FRAME : JSON.stringify({ type: 'pong', id }))

/** An event's payload as JSON text, encoded once per publish: an undefined payload is sent as `null`. */
export const encodePayload = (data: unknown): string => JSON.stringify(data ?? null)

/**
 * An `event` frame around a payload that is already JSON text: a publish
 * encodes its payload once for every subscriber (and the replay log keeps
 * that text), so the frame is assembled around it rather than re-encoded.
 */
export function encodeEvent(topic: string, seq: number, json: string): string {
  return `{"type":"event","topic":${JSON.stringify(topic)},"data":${json},"seq":${seq}}`
}

/** A `presence` frame for watchers, encoded once for all of them. */
export const encodePresence = (change: Omit<PresenceFrame, 'type'>): string => JSON.stringify({ type: 'presence', ...change })

/** The header frame sent just before a binary event's payload. */
export function encodeBinaryEventHeader(topic: string, seq: number): string {
  return `{"type":"event","topic":${JSON.stringify(topic)},"seq":${seq},"binary":true}`
}

/**
 * An action frame, as a client sends it: named by the channel's routing key
 * (by `action` for built-in `$` actions), with `data` only when there is input.
 */
export function encodeAction(action: string, id: RequestId | undefined, data: unknown, routingKey = 'action'): string {
  const key = routingFieldFor(action, routingKey)
  return JSON.stringify(data === undefined ? { [key]: action, id } : { [key]: action, id, data })
}
