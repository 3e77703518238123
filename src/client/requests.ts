import { encodeAction } from '../core/protocol/encode'
import type { ErrorFrame, ReplyFrame, RequestId } from '../core/protocol/frames'
import { ChannelClientError } from './client-error'
import type { Outbox } from './outbox'
import type { TimeoutHandle } from './timers'
import type { ConnectionState, SendOptions } from './types'

export interface RequestOptions {
  /** Default wait for a reply, per request. */
  timeoutMs: number
  /** The field app actions are named by. */
  routingKey: string
  /** The outbox's bound, named in `BUFFER_FULL`'s message. */
  bufferSize: number
}

interface Pending {
  action: string
  resolve(value: unknown): void
  reject(error: ChannelClientError): void
  timer: TimeoutHandle
  /** On the wire: if the connection drops now, the server may or may not have run it. */
  sent: boolean
}

/**
 * Requests waiting for their answer, correlated by id. Each one ends exactly
 * once, whichever comes first: its reply or error frame, its timeout, its
 * AbortSignal, a full outbox, a dropped connection (once sent), or the client
 * closing.
 */
export class Requests {
  readonly #pending = new Map<RequestId, Pending>()
  readonly #outbox: Outbox
  readonly #state: () => ConnectionState
  readonly #options: RequestOptions
  #nextId = 1

  constructor(outbox: Outbox, state: () => ConnectionState, options: RequestOptions) {
    this.#outbox = outbox
    this.#state = state
    this.#options = options
  }

  /** Sends an action; resolves with its reply data or rejects with a `ChannelClientError`. */
  send(action: string, data: unknown, options: SendOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#state() === 'closed') return reject(new ChannelClientError('CLOSED', 'The client is closed', { action }))
      if (options.signal?.aborted) return reject(new ChannelClientError('ABORTED', `${action} was aborted`, { action }))
      const id = this.#nextId++
      // Whatever ends the request comes through here: only the first call counts, and it takes the
      // request out of everywhere it could still be (pending, its timer, its abort listener, the outbox).
      const finishRequest = (settlePromise: () => void) => {
        if (this.#pending.get(id) !== pending) return
        this.#pending.delete(id)
        clearTimeout(pending.timer)
        options.signal?.removeEventListener('abort', onAbort)
        this.#outbox.remove(id)
        settlePromise()
      }
      const fail = (error: ChannelClientError) => finishRequest(() => reject(error))
      const onAbort = () => fail(new ChannelClientError('ABORTED', `${action} was aborted`, { action, id }))
      const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs
      const pending: Pending = {
        action,
        resolve: (value) => finishRequest(() => resolve(value)),
        reject: fail,
        timer: setTimeout(() => fail(new ChannelClientError('TIMEOUT', `${action} got no reply within ${timeoutMs} ms`, { action, id })), timeoutMs),
        sent: false,
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, pending)
      const frame = encodeAction(action, id, data, this.#options.routingKey)
      if (!this.#outbox.send({ frame, id })) fail(new ChannelClientError('BUFFER_FULL', `${this.#options.bufferSize} frames are already waiting for the connection`, { action, id }))
    })
  }

  /** Ends the request a reply or error frame answers; an answer nobody waits for (late, or without id) is ignored. */
  answer(frame: ReplyFrame | ErrorFrame): void {
    const pending = frame.id === undefined ? undefined : this.#pending.get(frame.id)
    if (!pending) return
    if (frame.type === 'reply') pending.resolve(frame.data)
    else {
      const { code, message, issues } = frame.error
      pending.reject(new ChannelClientError(code, message, { action: frame.action, id: frame.id, issues }))
    }
  }

  /** The request's frame went out on the socket. */
  markSent(id: RequestId): void {
    const pending = this.#pending.get(id)
    if (pending) pending.sent = true
  }

  /**
   * The connection dropped. Requests already sent may or may not have run, so
   * they fail with `DISCONNECTED` and the caller decides whether to retry.
   * Queued ones never left: they stay, and go out after the next welcome.
   */
  disconnected(): void {
    for (const pending of [...this.#pending.values()]) {
      if (pending.sent) pending.reject(new ChannelClientError('DISCONNECTED', `The connection dropped before ${pending.action} was answered`, { action: pending.action }))
    }
  }

  /** The client is closed for good: every request still waiting fails with `error`. */
  rejectAll(error: ChannelClientError): void {
    for (const pending of this.#pending.values()) pending.reject(error)
  }
}
