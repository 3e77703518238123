import { decodeServerFrame } from '../core/protocol/decode'
import type { WelcomeFrame } from '../core/protocol/frames'
import type { Presence } from './presence'
import type { Requests } from './requests'
import type { Subscriptions } from './subscriptions'
import type { EventMeta } from './types'

/**
 * Every frame that comes in, sent to the part it concerns: the welcome to the
 * client, replies and errors to `Requests`, events to `Subscriptions`, presence to `Presence`,
 * messages and raw binary frames to their listeners. One per client; it
 * outlives connections, and `connected` starts it over for each new one.
 */
export class Inbox {
  /** `channel.send` messages. */
  readonly messageListeners = new Set<(data: unknown) => void>()
  /** Raw binary frames (`channel.send(bytes, true)`, bytes returned by `onBinaryMessage`). */
  readonly binaryListeners = new Set<(bytes: Uint8Array) => void>()
  readonly #requests: Requests
  readonly #subscriptions: Subscriptions
  readonly #presence: Presence
  /** Called at the welcome, or with `undefined` when the welcome went by before the client listened. */
  readonly #welcomed: (frame: WelcomeFrame | undefined) => void
  /** A binary event's header, waiting for its payload frame. */
  #binaryEvent: EventMeta | undefined
  /** Set for a socket adopted already open, until its first frame: see `connected`. */
  #welcomeMayBeGone = false

  constructor(requests: Requests, subscriptions: Subscriptions, presence: Presence, welcomed: (frame: WelcomeFrame | undefined) => void) {
    this.#requests = requests
    this.#subscriptions = subscriptions
    this.#presence = presence
    this.#welcomed = welcomed
  }

  /**
   * A new socket: nothing half-received carries over. `welcomeMayBeGone` is
   * for a socket someone else opened and handed over already open: its welcome
   * may have been dispatched before anyone listened. The server sends the
   * welcome before it completes the upgrade, so it comes before anything else;
   * if the first frame (the answer to the client's probe ping, at the latest) is
   * not a welcome, the welcome was missed, and the connection counts as open
   * without one.
   */
  connected(welcomeMayBeGone: boolean): void {
    this.#binaryEvent = undefined
    this.#welcomeMayBeGone = welcomeMayBeGone
  }

  /** One frame from the current socket. */
  receive(data: unknown): void {
    // Undefined for what is not JSON, or a frame type this client does not know (a newer server's): ignored.
    const frame = typeof data === 'string' ? decodeServerFrame(data) : undefined
    if (this.#welcomeMayBeGone) {
      this.#welcomeMayBeGone = false
      if (frame?.type !== 'welcome') this.#welcomed(undefined)
    }
    if (typeof data !== 'string') return this.#receiveBinary(data)
    switch (frame?.type) {
      case 'welcome':
        return this.#welcomed(frame)
      case 'reply':
      case 'error':
        return this.#requests.answer(frame)
      case 'event':
        if ('binary' in frame) this.#binaryEvent = { topic: frame.topic, seq: frame.seq }
        else this.#subscriptions.dispatch({ topic: frame.topic, seq: frame.seq }, frame.data)
        return
      case 'presence':
        return this.#presence.receive(frame)
      case 'message':
        for (const listener of this.messageListeners) listener(frame.data)
        return
      case 'pong':
        return // Keepalive pings carry no id: nothing waits for their answer.
    }
  }

  /** A binary frame is an event's payload when that event's header came just before it; else a raw one. */
  #receiveBinary(data: unknown): void {
    const bytes = toBytes(data)
    if (!bytes) return
    const header = this.#binaryEvent
    this.#binaryEvent = undefined
    if (header) this.#subscriptions.dispatch(header, bytes)
    else for (const listener of this.binaryListeners) listener(bytes)
  }
}

/** A binary frame's bytes: an ArrayBuffer (binaryType "arraybuffer") or a view; anything else is not a binary frame. */
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return undefined
}
