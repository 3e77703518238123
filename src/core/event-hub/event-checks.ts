import { exceeds } from '../bytes'
import { ChannelError, EventHubError } from '../errors'
import { nestsDeeperThan } from '../json-depth'
import { encodePayload } from '../protocol/encode'
import { parseWith, type Schema } from '../schema'

/** Levels of objects and arrays an event may nest: deeper ones cannot be encoded or sent between objects safely. */
export const MAX_EVENT_DEPTH = 100

/** Refuses an event nested deeper than {@link MAX_EVENT_DEPTH}, before anything tries to encode it. */
export function checkEventDepth(topic: string, data: unknown): void {
  if (nestsDeeperThan(data, MAX_EVENT_DEPTH)) throw new EventHubError(`an event for "${topic}" nests deeper than ${MAX_EVENT_DEPTH} levels`)
}

/** Refuses an encoded event over `limit` bytes; `why` names the limit, so the message says what to change. */
export function checkEventSize(topic: string, payload: string | Uint8Array, limit: number, why: string): void {
  if (exceeds(payload, limit)) throw new EventHubError(`an event for "${topic}" is larger than ${limit} bytes, ${why}`, 'TOO_LARGE')
}

/** Validates an event against its topic's schema. Binary payloads skip it: it describes JSON events. */
export async function validateEvent(topic: string, schema: Schema, data: unknown): Promise<unknown> {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return data
  try {
    return await parseWith(schema, data, `Event for "${topic}"`)
  } catch (error) {
    if (error instanceof ChannelError) throw new EventHubError(error.message)
    throw error
  }
}

/** An event's payload as it is sent: bytes as they are, anything else as JSON text. */
export function eventPayload(data: unknown): string | Uint8Array {
  return data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : encodePayload(data)
}
