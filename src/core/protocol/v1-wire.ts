import { encodeError, encodeFrame, encodePong, encodeWelcome } from './encode'
import { parseFrame } from './parse'
import type { WireFormat } from './wire-format'

/** Protocol v1 as a `WireFormat`: `parse.ts` and `encode.ts`, which stay the owners of its frames. */
export function v1Wire(routingKey: string): WireFormat {
  return {
    protocol: 'v1',
    parse: (text, needsAction) => parseFrame(text, routingKey, needsAction),
    correlate(text) {
      try {
        const { action, id } = parseFrame(text, routingKey, false)
        return { action, id }
      } catch {
        // Unreadable as well as refused: answer without correlation.
        return {}
      }
    },
    acknowledges: (frame) => frame.id !== undefined,
    opening: (channelId, result, retryWindowMs) => ({ first: encodeWelcome(channelId, result, retryWindowMs) }),
    encode: encodeFrame,
    error: encodeError,
    pong: encodePong,
    event(event, to) {
      to.send(event.frame)
      if (event.bytes) to.send(event.bytes)
    },
  }
}
