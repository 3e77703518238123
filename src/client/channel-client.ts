import { PING_FRAME } from '../core/protocol/actions'
import type { ErrorPayload } from '../core/protocol/frames'
import { matches } from '../core/protocol/topics'
import { backoffDelay, type BackoffOptions } from './backoff'
import { ChannelClientError } from './client-error'
import type { ActionsOf, AnyChannel, ConnectionState, EventMeta, PayloadOf, SendArgs, SendOptions, Subscribable, TopicsOfChannel } from './types'

/** The part of the standard WebSocket API the client uses (browsers, Node 22, or the `ws` package). */
export interface WebSocketLike {
  binaryType: string
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
  addEventListener(type: 'error', listener: (event: unknown) => void): void
}

export interface ClientOptions {
  /** The WebSocket class; `globalThis.WebSocket` by default (pass `ws`'s on Node 20). */
  WebSocket?: new (url: string) => WebSocketLike
  /** How long `send` waits for its reply. Default 10 s. */
  timeoutMs?: number
  /** Reconnect after unexpected closes (deploys, network). `false` to stop at the first close. */
  reconnect?: false | BackoffOptions
  /** Frames kept while disconnected; past this, `send` rejects with `BUFFER_FULL`. Default 100. */
  bufferSize?: number
  /** Idle time after which a keepalive ping is sent (answered without waking the server). Default 30 s; `false` for none. */
  keepaliveMs?: number | false
  /** The field actions are named by, for channels wired with their own routing key (`{ op: {...} }`). Default `action`. */
  routingKey?: string
}

export interface SubscribeOptions {
  /** Resume after this sequence number (events after it are replayed if the server still has them). */
  since?: number
  /** The server's log no longer reaches back to what this subscription last saw: refetch state. */
  onResync?: () => void
  /** The server refused the subscription (for example `FORBIDDEN`). */
  onError?: (error: ChannelClientError) => void
}

export interface Subscription {
  /** Resolves when the server first acknowledged the subscription. */
  readonly ready: Promise<void>
  unsubscribe(): void
}

/** Closes after which reconnecting cannot help: normal close, policy, bad opening data, auth, a removed channel. */
const FINAL_CLOSE_CODES = new Set([1000, 1008, 4400, 4401, 4403, 4404])

interface Pending {
  action: string
  resolve(value: unknown): void
  reject(error: ChannelClientError): void
  timer?: ReturnType<typeof setTimeout>
  /** On the wire: if the connection drops now, the server may or may not have run it. */
  sent?: boolean
}

interface Topic {
  topic: string
  callbacks: Set<(data: any, meta: EventMeta) => void>
  /** The last sequence number seen; deliveries at or below it are duplicates. */
  lastSeq: number | undefined
  options: SubscribeOptions
  acknowledged: boolean
  ready: { promise: Promise<void>; resolve(): void; reject(error: ChannelClientError): void }
  /**
   * While a resubscription with `since` is in flight, events are held here:
   * live ones may overtake the replay, and the reply says when the replay is
   * complete. They are then delivered in sequence order, once each.
   */
  held: { meta: EventMeta; data: unknown }[] | undefined
}

type Outgoing = { frame: string | ArrayBuffer | ArrayBufferView; id?: string | number }

/**
 * A client for one channel instance, typed from its wiring:
 * `createClient<typeof chatChannel>('wss://host/chat/general')`. Requests are
 * correlated by id with timeouts and cancellation; it reconnects with
 * backoff after deploys, resubscribes with `since` so missed events are
 * replayed once and in order, and buffers what is sent while disconnected.
 */
export class ChannelClient<Channel extends AnyChannel = AnyChannel> {
  /** What `onConnect` returned, from the latest welcome. */
  welcome: unknown
  /** This connection's id, from the latest welcome. */
  channelId: string | undefined
  /** The last close the server (or network) caused. */
  lastClose: { code: number; reason: string } | undefined

  readonly #options: Required<Omit<ClientOptions, 'WebSocket' | 'reconnect'>> & Pick<ClientOptions, 'reconnect'>
  readonly #WebSocket: new (url: string) => WebSocketLike
  readonly #pending = new Map<string | number, Pending>()
  readonly #buffer: Outgoing[] = []
  readonly #topics = new Map<string, Topic>()
  readonly #stateListeners = new Set<(state: ConnectionState) => void>()
  readonly #messageListeners = new Set<(data: unknown) => void>()
  readonly #binaryListeners = new Set<(bytes: Uint8Array) => void>()
  #ws: WebSocketLike | undefined
  #state: ConnectionState = 'connecting'
  #nextId = 1
  #attempt = 0
  #retry: ReturnType<typeof setTimeout> | undefined
  #keepalive: ReturnType<typeof setInterval> | undefined
  #lastSent = 0
  /** A binary event's header, waiting for its payload frame. */
  #binaryEvent: EventMeta | undefined
  /** What `ready()` waits on: settled at a welcome, replaced only once settled. */
  #opened = deferred<void>()

  constructor(
    readonly url: string,
    options: ClientOptions = {},
  ) {
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket
    if (!WebSocketClass) throw new TypeError('createClient: no global WebSocket here; pass { WebSocket } (for example from the "ws" package)')
    this.#WebSocket = WebSocketClass
    this.#options = {
      timeoutMs: options.timeoutMs ?? 10_000,
      bufferSize: options.bufferSize ?? 100,
      keepaliveMs: options.keepaliveMs ?? 30_000,
      routingKey: options.routingKey ?? 'action',
      reconnect: options.reconnect,
    }
    this.#connect()
  }

  get state(): ConnectionState {
    return this.#state
  }

  /** Calls `listener` on every state change; returns a function that stops it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener)
    return () => this.#stateListeners.delete(listener)
  }

  /** Resolves with the welcome data once the connection is open (now, or after the next welcome). */
  ready(): Promise<unknown> {
    return this.#opened.promise.then(() => this.welcome)
  }

  /** Calls an action; resolves with its reply data or rejects with a `ChannelClientError`. */
  send<Action extends keyof ActionsOf<Channel> & string>(action: Action, ...[data, options]: SendArgs<InputOf<ActionsOf<Channel>, Action>>): Promise<OutputOf<ActionsOf<Channel>, Action>> {
    return this.#request(action, data, options) as Promise<OutputOf<ActionsOf<Channel>, Action>>
  }

  /** Receives a topic's (or pattern's) events; resubscribes itself after reconnects. */
  subscribe<Topic extends Subscribable<Channel>>(
    topic: Topic,
    callback: (data: PayloadOf<TopicsOfChannel<Channel>, Topic>, meta: EventMeta) => void,
    options: SubscribeOptions = {},
  ): Subscription {
    if (this.#state === 'closed') {
      const ready = deferred<void>()
      ready.reject(new ChannelClientError('CLOSED', 'The client is closed'))
      return { ready: ready.promise, unsubscribe: () => undefined }
    }
    let entry = this.#topics.get(topic)
    if (!entry) {
      entry = { topic, callbacks: new Set(), lastSeq: options.since, options, acknowledged: false, ready: deferred<void>(), held: undefined }
      this.#topics.set(topic, entry)
      if (this.#state === 'open') this.#sendSubscribe(entry)
    }
    const subscription = entry
    subscription.callbacks.add(callback)
    return {
      ready: subscription.ready.promise,
      unsubscribe: () => {
        subscription.callbacks.delete(callback)
        if (subscription.callbacks.size > 0 || this.#topics.get(topic) !== subscription) return
        this.#topics.delete(topic)
        if (this.#state === 'open') this.#request('$unsubscribe', { topic }).catch(() => undefined)
      },
    }
  }

  /** Receives `channel.send` messages. */
  onMessage(listener: (data: unknown) => void): () => void {
    this.#messageListeners.add(listener)
    return () => this.#messageListeners.delete(listener)
  }

  /** Receives raw binary frames (`channel.send(bytes, true)`, bytes returned by `onBinaryMessage`). */
  onBinary(listener: (bytes: Uint8Array) => void): () => void {
    this.#binaryListeners.add(listener)
    return () => this.#binaryListeners.delete(listener)
  }

  /** Sends bytes to the channel's `onBinaryMessage` (buffered while disconnected). */
  sendBinary(bytes: ArrayBuffer | ArrayBufferView): void {
    this.#transmit({ frame: bytes })
  }

  /** Closes for good: no reconnect; whatever is pending rejects with `CLOSED`. */
  close(code = 1000, reason = ''): void {
    if (this.#state === 'closed') return
    this.#stop(new ChannelClientError('CLOSED', 'The client was closed'))
    this.#ws?.close(code, reason)
    this.#ws = undefined
  }

  #connect(): void {
    this.#setState('connecting')
    const ws = new this.#WebSocket(this.url)
    ws.binaryType = 'arraybuffer'
    this.#ws = ws
    ws.addEventListener('message', (event) => {
      if (this.#ws === ws) this.#receive(event.data)
    })
    ws.addEventListener('close', (event) => {
      if (this.#ws === ws) this.#closed(event.code, event.reason)
    })
    // A failed connection also closes (1006); that is where it is handled.
    ws.addEventListener('error', () => undefined)
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined
      if (!bytes) return
      const header = this.#binaryEvent
      this.#binaryEvent = undefined
      if (header) this.#dispatch(header, bytes)
      else for (const listener of this.#binaryListeners) listener(bytes)
      return
    }
    let frame: Record<string, any>
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    switch (frame.type) {
      case 'welcome':
        return this.#welcomed(frame)
      case 'reply':
      case 'error':
        return this.#answer(frame)
      case 'event':
        if (frame.binary) this.#binaryEvent = { topic: frame.topic, seq: frame.seq }
        else this.#dispatch({ topic: frame.topic, seq: frame.seq }, frame.data)
        return
      case 'message':
        for (const listener of this.#messageListeners) listener(frame.data)
        return
    }
  }

  #welcomed(frame: Record<string, any>): void {
    this.welcome = frame.data
    this.channelId = frame.channelId
    this.#attempt = 0
    this.#setState('open')
    this.#startKeepalive()
    // Subscriptions first, so that replays come before anything the buffer triggers.
    for (const entry of this.#topics.values()) this.#sendSubscribe(entry)
    for (const outgoing of this.#buffer.splice(0)) this.#write(outgoing)
    this.#opened.resolve()
  }

  #answer(frame: Record<string, any>): void {
    const pending = this.#pending.get(frame.id)
    if (!pending) return
    if (frame.type === 'reply') pending.resolve(frame.data)
    else {
      const error = frame.error as ErrorPayload
      pending.reject(new ChannelClientError(error.code, error.message, { action: frame.action, id: frame.id, issues: error.issues }))
    }
  }

  /** Delivers an event once to each matching subscription, skipping what it has seen (replays after a reconnect). */
  #dispatch(meta: EventMeta, data: unknown): void {
    for (const entry of this.#topics.values()) {
      if (!matches(entry.topic, meta.topic)) continue
      if (entry.held) entry.held.push({ meta, data })
      else this.#deliver(entry, meta, data)
    }
  }

  #deliver(entry: Topic, meta: EventMeta, data: unknown): void {
    if (entry.lastSeq !== undefined && meta.seq <= entry.lastSeq) return
    entry.lastSeq = meta.seq
    for (const callback of entry.callbacks) callback(data, meta)
  }

  #sendSubscribe(entry: Topic): void {
    const resuming = entry.lastSeq !== undefined
    entry.held = resuming ? [] : undefined
    const data = resuming ? { topic: entry.topic, since: entry.lastSeq } : { topic: entry.topic }
    const release = () => {
      const held = entry.held ?? []
      entry.held = undefined
      for (const { meta, data } of held.sort((a, b) => a.meta.seq - b.meta.seq)) this.#deliver(entry, meta, data)
    }
    this.#request('$subscribe', data).then(
      (reply) => {
        const { seq, resync } = reply as { seq: number; resync?: boolean }
        if (resync) {
          // The log does not reach back: what was missed is gone. Start over from here.
          entry.held = undefined
          entry.lastSeq = seq
          entry.options.onResync?.()
        } else {
          release()
          // Everything up to the head has now been delivered, replayed or live.
          entry.lastSeq = Math.max(entry.lastSeq ?? seq, seq)
        }
        if (!entry.acknowledged) {
          entry.acknowledged = true
          entry.ready.resolve()
        }
      },
      (error: ChannelClientError) => {
        entry.held = undefined
        if (error.code === 'DISCONNECTED' || error.code === 'CLOSED') {
          if (error.code === 'CLOSED') entry.ready.reject(error)
          return // resent on the next welcome
        }
        this.#topics.delete(entry.topic)
        entry.ready.reject(error)
        entry.options.onError?.(error)
      },
    )
  }

  #request(action: string, data: unknown, options: SendOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#state === 'closed') return reject(new ChannelClientError('CLOSED', 'The client is closed', { action }))
      if (options.signal?.aborted) return reject(new ChannelClientError('ABORTED', `${action} was aborted`, { action }))
      const id = this.#nextId++
      // Settling removes the request everywhere it could still be: pending, its timer, the buffer.
      const settle = (finish: () => void) => {
        if (this.#pending.get(id) !== pending) return
        this.#pending.delete(id)
        clearTimeout(pending.timer)
        options.signal?.removeEventListener('abort', onAbort)
        const queued = this.#buffer.findIndex((outgoing) => outgoing.id === id)
        if (queued >= 0) this.#buffer.splice(queued, 1)
        finish()
      }
      const fail = (error: ChannelClientError) => settle(() => reject(error))
      const onAbort = () => fail(new ChannelClientError('ABORTED', `${action} was aborted`, { action, id }))
      const pending: Pending = { action, resolve: (value) => settle(() => resolve(value)), reject: fail }
      const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs
      pending.timer = setTimeout(() => fail(new ChannelClientError('TIMEOUT', `${action} got no reply within ${timeoutMs} ms`, { action, id })), timeoutMs)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, pending)
      // Built-in `$` actions are always named by "action".
      const key = action.startsWith('$') ? 'action' : this.#options.routingKey
      const frame = JSON.stringify(data === undefined ? { [key]: action, id } : { [key]: action, id, data })
      if (!this.#transmit({ frame, id })) fail(new ChannelClientError('BUFFER_FULL', `${this.#options.bufferSize} frames are already waiting for the connection`, { action, id }))
    })
  }

  /** Sends now if open, else queues (bounded). */
  #transmit(outgoing: Outgoing): boolean {
    if (this.#state === 'open') {
      this.#write(outgoing)
      return true
    }
    if (this.#state === 'closed' || this.#buffer.length >= this.#options.bufferSize) return false
    this.#buffer.push(outgoing)
    return true
  }

  #write(outgoing: Outgoing): void {
    this.#lastSent = Date.now()
    this.#ws!.send(outgoing.frame)
    if (outgoing.id !== undefined) {
      const pending = this.#pending.get(outgoing.id)
      if (pending) pending.sent = true
    }
  }

  #closed(code: number, reason: string): void {
    this.#ws = undefined
    this.lastClose = { code, reason }
    this.#binaryEvent = undefined
    this.#stopKeepalive()
    if (this.#state === 'closed') return
    if (this.#options.reconnect === false || FINAL_CLOSE_CODES.has(code)) {
      this.#stop(new ChannelClientError('CLOSED', `The server closed the connection (${code}${reason ? `: ${reason}` : ''})`))
      return
    }
    // Requests already sent may or may not have run: the caller decides whether to retry them.
    // Queued ones never left, and go out after the next welcome.
    for (const pending of [...this.#pending.values()]) {
      if (pending.sent) pending.reject(new ChannelClientError('DISCONNECTED', `The connection dropped before ${pending.action} was answered`, { action: pending.action }))
    }
    // Keep a `ready()` taken before this close waiting for the next welcome.
    if (this.#opened.settled) this.#opened = deferred<void>()
    this.#setState('connecting')
    this.#retry = setTimeout(() => this.#connect(), backoffDelay(this.#attempt++, this.#options.reconnect || undefined))
  }

  #stop(error: ChannelClientError): void {
    clearTimeout(this.#retry)
    this.#stopKeepalive()
    this.#setState('closed')
    for (const [, pending] of this.#pending) pending.reject(error)
    this.#buffer.length = 0
    if (this.#opened.settled) this.#opened = deferred<void>()
    this.#opened.reject(error)
    for (const entry of this.#topics.values()) if (!entry.acknowledged) entry.ready.reject(error)
  }

  #startKeepalive(): void {
    const every = this.#options.keepaliveMs
    if (every === false) return
    this.#stopKeepalive()
    this.#keepalive = setInterval(() => {
      if (this.#state === 'open' && Date.now() - this.#lastSent >= every) this.#write({ frame: PING_FRAME })
    }, every)
  }

  #stopKeepalive(): void {
    clearInterval(this.#keepalive)
    this.#keepalive = undefined
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return
    this.#state = state
    for (const listener of this.#stateListeners) listener(state)
  }
}

type InputOf<Actions, Action extends keyof Actions> = Actions[Action] extends { input: infer Input } ? Input : never
type OutputOf<Actions, Action extends keyof Actions> = Actions[Action] extends { output: infer Output } ? Output : never

/** Connects to a channel instance: `createClient<typeof chatChannel>('wss://host/chat/general')`. */
export function createClient<Channel extends AnyChannel = AnyChannel>(url: string | URL, options?: ClientOptions): ChannelClient<Channel> {
  return new ChannelClient<Channel>(String(url), options)
}

function deferred<T>() {
  const handle = { settled: false } as { settled: boolean; promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void }
  handle.promise = new Promise<T>((resolve, reject) => {
    handle.resolve = (value) => {
      handle.settled = true
      resolve(value)
    }
    handle.reject = (error) => {
      handle.settled = true
      reject(error)
    }
  })
  // Nobody may be waiting; a rejection must not surface as unhandled.
  handle.promise.catch(() => undefined)
  return handle
}
