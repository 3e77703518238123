import { encodeBinaryEventHeader, encodeEvent } from '../protocol/encode'
import type { LoggedEvent } from './hub-store'

/** An event encoded once for every subscriber of a publish (or read back from the replay log). */
export interface PreparedEvent {
  topic: string
  seq: number
  /** The whole `event` frame; for a binary event, the header frame that precedes `bytes`. */
  frame: string
  /** The payload as JSON text (for channel middleware, which sees it decoded). */
  json?: string
  /** The payload as published (`null` for undefined), when it is at hand: not after a replay. */
  data?: unknown
  /** A binary event's payload. */
  bytes?: Uint8Array
}

/** Prepares a publish: the payload is already JSON text, or bytes. */
export function prepareEvent(topic: string, seq: number, payload: string | Uint8Array, data?: unknown): PreparedEvent {
  return typeof payload === 'string'
    ? { topic, seq, frame: encodeEvent(topic, seq, payload), json: payload, data }
    : { topic, seq, frame: encodeBinaryEventHeader(topic, seq), bytes: payload }
}

/** An event from the replay log, as it was first sent. */
export function replayedEvent(logged: LoggedEvent): PreparedEvent {
  return prepareEvent(logged.topic, logged.seq, logged.data)
}

/** The payload a channel middleware sees: decoded only when it is asked for. */
export function eventData(event: PreparedEvent): unknown {
  if (event.data !== undefined || event.json === undefined) return event.data
  return JSON.parse(event.json)
}
