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
  frame: string
  resolve(value: unknown): void
  reject(error: ChannelClientError): void
  timer: TimeoutHandle
  /** On the wire: if the connection drops now, the server may or may not have run it. */
  sent: boolean
  /** Sent on a connection that keeps answers for retries, at this time (ms): it may be sent again until the window ends. */
  resumableSince?: number
  /** Queued again after a drop, to be sent on the next connection. */
  retrying?: boolean
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
  /** The current connection's retry window (its welcome's `retryWindowMs`), or undefined if it keeps no answers. */
  #retryWindowMs: number | undefined

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
      const frame = encodeAction(action, id, data, this.#options.routingKey)
      const pending: Pending = {
        action,
        frame,
        resolve: (value) => finishRequest(() => resolve(value)),
        reject: fail,
        timer: setTimeout(() => fail(new ChannelClientError('TIMEOUT', `${action} got no reply within ${timeoutMs} ms`, { action, id })), timeoutMs),
        sent: false,
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, pending)
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
    if (!pending) return
    pending.sent = true
    pending.retrying = false
    // A retry keeps its first sending time: the server's window runs from the first run.
    if (this.#retryWindowMs !== undefined) pending.resumableSince ??= Date.now()
    else pending.resumableSince = undefined
  }

  /**
   * A connection opened; `retryWindowMs` is what its welcome said (undefined:
   * it keeps no answers). Retries queued for it go out only if it keeps answers
   * and their window is still open; the others fail with `DISCONNECTED`.
   */
  welcomed(retryWindowMs: number | undefined): void {
    this.#retryWindowMs = retryWindowMs
    const now = Date.now()
    for (const pending of [...this.#pending.values()]) {
      if (!pending.retrying) continue
      if (retryWindowMs === undefined || now - pending.resumableSince! >= retryWindowMs) pending.reject(disconnected(pending.action))
    }
  }

  /**
   * The connection dropped. Requests already sent may or may not have run.
   * Those sent on a connection that keeps answers (a `$resume` token) are sent
   * again on the next one, with the same id, first: the server answers what
   * the first run got, or runs it if it never did, never twice. The others
   * fail with `DISCONNECTED` and the caller decides. Queued ones never left:
   * they stay, and go out after the next welcome.
   */
  disconnected(): void {
    const retries = []
    for (const [id, pending] of [...this.#pending.entries()]) {
      if (!pending.sent) continue
      if (pending.resumableSince === undefined) {
        pending.reject(disconnected(pending.action))
        continue
      }
      pending.sent = false
      pending.retrying = true
      retries.push({ frame: pending.frame, id })
    }
    this.#retryWindowMs = undefined
    this.#outbox.requeue(retries)
  }

  /** The client is closed for good: every request still waiting fails with `error`. */
  rejectAll(error: ChannelClientError): void {
    for (const pending of this.#pending.values()) pending.reject(error)
  }
}

function disconnected(action: string): ChannelClientError {
  return new ChannelClientError('DISCONNECTED', `The connection dropped before ${action} was answered`, { action })
}
