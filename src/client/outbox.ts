import type { RequestId } from '../core/protocol/frames'
import type { ConnectionState } from './types'

/** A frame on its way out; `id` marks a request's, so that it can be taken back, or marked sent once written. */
export interface Outgoing {
  frame: string | ArrayBuffer | ArrayBufferView
  id?: RequestId
}

/**
 * Everything the client sends goes through here: written at once while the
 * connection is open, else queued in order until the next welcome flushes it.
 * The queue is bounded, so that a client cut off from its server fails new
 * sends at once (`BUFFER_FULL`) instead of growing without limit.
 */
export class Outbox {
  readonly #queue: Outgoing[] = []
  readonly #limit: number
  readonly #state: () => ConnectionState
  readonly #write: (outgoing: Outgoing) => void

  constructor(limit: number, state: () => ConnectionState, write: (outgoing: Outgoing) => void) {
    this.#limit = limit
    this.#state = state
    this.#write = write
  }

  /** Writes now if open, else queues; false if it can do neither (closed, or the queue is full). */
  send(outgoing: Outgoing): boolean {
    if (this.#state() === 'open') {
      this.#write(outgoing)
      return true
    }
    if (this.#state() === 'closed' || this.#queue.length >= this.#limit) return false
    this.#queue.push(outgoing)
    return true
  }

  /** Takes a request's frame back out of the queue: it ended (timeout, abort) before the connection opened. */
  remove(id: RequestId): void {
    const queued = this.#queue.findIndex((outgoing) => outgoing.id === id)
    if (queued >= 0) this.#queue.splice(queued, 1)
  }

  /** Puts requests that were in flight when the connection dropped back at the front, in their order: they go out first. */
  requeue(outgoing: Outgoing[]): void {
    this.#queue.unshift(...outgoing)
  }

  /** Writes everything queued, in order (the connection just opened). */
  flush(): void {
    for (const outgoing of this.#queue.splice(0)) this.#write(outgoing)
  }

  /** Forgets everything queued (the client closed for good; each request was already rejected). */
  clear(): void {
    this.#queue.length = 0
  }
}
