import { PING_FRAME } from '../core/protocol/actions'
import { CloseCode, FINAL_CLOSE_CODES, RESTART_CLOSE_CODES, retryHintOf } from '../core/protocol/close'
import type { WelcomeFrame } from '../core/protocol/frames'
import { withResume } from '../core/protocol/resume'
import { backoffDelay, spreadDelay } from './backoff'
import { ChannelClientError } from './client-error'
import { deferred } from './deferred'
import { probeHandshake } from './handshake-probe'
import { Inbox } from './inbox'
import { Keepalive } from './keepalive'
import { READY_STATE, resolveOptions, type ClientOptions, type ResolvedOptions, type WebSocketLike } from './options'
import { Outbox, type Outgoing } from './outbox'
import { Presence, type PresenceChange, type PresenceView } from './presence'
import { Requests } from './requests'
import { Subscriptions, type SubscribeOptions, type Subscription } from './subscriptions'
import { cancelTimeout, type TimeoutHandle } from './timers'
import type { ActionInput, ActionOutput, ActionsOf, AnyChannel, ConnectionState, EventMeta, PayloadOf, PresenceDataOf, SendArgs, Subscribable, TopicsOf } from './types'

/**
 * A client for one channel instance, typed from its wiring:
 * `createClient<typeof chatChannel>('wss://host/chat/general')`. This class
 * owns the socket: it connects, reconnects with backoff after unexpected
 * closes and keeps the connection alive. What goes out passes through the
 * `Outbox` (queued while disconnected); what comes in goes through the
 * `Inbox`, which hands each frame to the part it concerns.
 */
export class ChannelClient<Channel extends AnyChannel = AnyChannel> {
  /** What `onConnect` returned, from the latest welcome (unknown, so undefined, if an adopted socket's welcome went by unseen). */
  welcome: unknown
  /** This connection's id, from the latest welcome (undefined in the same case). */
  channelId: string | undefined
  /** The last close the server (or network) caused. */
  lastClose: { code: number; reason: string } | undefined
  /** Why the client closed for good, once it has (set before the `'closed'` state is reported). */
  lastError: ChannelClientError | undefined
  /** While waiting to reconnect: which attempt comes next (1 for the first) and after how long, in ms (set before `'connecting'` is reported). */
  reconnecting: { attempt: number; delayMs: number } | undefined

  readonly #options: ResolvedOptions
  /** The URL this client opens its own connections on: `url` with its `$resume` token, unless resume is off. */
  readonly #connectUrl: string
  readonly #resumes: boolean
  /** Whether the current connection carries the token (an adopted socket does not). */
  #resumable = false
  readonly #requests: Requests
  readonly #subscriptions: Subscriptions
  readonly #presence: Presence
  readonly #outbox: Outbox
  readonly #keepalive: Keepalive
  readonly #inbox: Inbox
  readonly #stateListeners = new Set<(state: ConnectionState) => void>()
  #ws: WebSocketLike | undefined
  #state: ConnectionState = 'connecting'
  #attempt = 0
  #retry: TimeoutHandle | undefined
  /** Whether this connection attempt got its welcome: a close before it may be a refused handshake. */
  #welcomedThisAttempt = false
  /** What `ready()` waits on: settled at a welcome, replaced only once settled. */
  #opened = deferred<void>()

  constructor(
    readonly url: string,
    options: ClientOptions = {},
  ) {
    this.#options = resolveOptions(options)
    const token = this.#options.resume ? resumeToken() : undefined
    this.#connectUrl = token === undefined ? url : withResume(url, token)
    this.#resumes = token !== undefined
    this.#outbox = new Outbox(this.#options.bufferSize, () => this.#state, (outgoing) => this.#write(outgoing))
    this.#requests = new Requests(this.#outbox, () => this.#state, this.#options)
    this.#keepalive = new Keepalive(
      this.#options.keepaliveMs,
      this.#options.keepaliveTimeoutMs,
      () => {
        if (this.#state === 'open') this.#write({ frame: PING_FRAME })
      },
      () => this.#halfOpen(),
    )
    this.#subscriptions = new Subscriptions(this.#requests, () => this.#state)
    this.#presence = new Presence(this.#requests, () => this.#state)
    this.#inbox = new Inbox(this.#requests, this.#subscriptions, this.#presence, (frame) => this.#welcomed(frame))
    const adopted = options.socket
    // A socket that can no longer open will report nothing more: its connection is over before it began.
    if (adopted && (adopted.readyState ?? READY_STATE.CONNECTING) >= READY_STATE.CLOSING) this.#closed(CloseCode.ABNORMAL, 'The adopted socket was already closed')
    else this.#connect(adopted)
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
  send<Action extends keyof ActionsOf<Channel> & string>(action: Action, ...[data, options]: SendArgs<ActionInput<ActionsOf<Channel>, Action>>): Promise<ActionOutput<ActionsOf<Channel>, Action>> {
    return this.#requests.send(action, data, options) as Promise<ActionOutput<ActionsOf<Channel>, Action>>
  }

  /** Receives a topic's (or pattern's) events; resubscribes itself after reconnects. */
  subscribe<Topic extends Subscribable<Channel>>(topic: Topic, callback: (data: PayloadOf<TopicsOf<Channel>, Topic>, meta: EventMeta) => void, options: SubscribeOptions = {}): Subscription {
    return this.#subscriptions.add(topic, callback, options)
  }

  /** Who is here now (`$presence`), on a channel wired with `presence`. */
  presence(): Promise<PresenceView<PresenceDataOf<Channel>>> {
    return this.#presence.ask() as Promise<PresenceView<PresenceDataOf<Channel>>>
  }

  /**
   * Calls `listener` with who is here and what changed, at every change (the
   * first listener starts watching; it resumes after reconnects). `onError`
   * hears a refused `$presence` (a channel without presence, `UNAUTHENTICATED`).
   */
  onPresence(listener: (view: PresenceView<PresenceDataOf<Channel>>, change: PresenceChange<PresenceDataOf<Channel>>) => void, onError: (error: ChannelClientError) => void = () => undefined): () => void {
    return this.#presence.listen(listener, onError)
  }

  /** Receives `channel.send` messages. */
  onMessage(listener: (data: unknown) => void): () => void {
    this.#inbox.messageListeners.add(listener)
    return () => this.#inbox.messageListeners.delete(listener)
  }

  /** Receives raw binary frames (`channel.send(bytes, true)`, bytes returned by `onBinaryMessage`). */
  onBinary(listener: (bytes: Uint8Array) => void): () => void {
    this.#inbox.binaryListeners.add(listener)
    return () => this.#inbox.binaryListeners.delete(listener)
  }

  /** Sends bytes to the channel's `onBinaryMessage` (buffered while disconnected). */
  sendBinary(bytes: ArrayBuffer | ArrayBufferView): void {
    this.#outbox.send({ frame: bytes })
  }

  /** Closes for good: no reconnect; whatever is pending rejects with `CLOSED`. */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.#state === 'closed') return
    this.#stop(new ChannelClientError('CLOSED', 'The client was closed'))
    this.#ws?.close(code, reason)
    this.#ws = undefined
  }

  /** Opens the next connection, or takes over `adopted` (the first one, from `options.socket`). */
  #connect(adopted?: WebSocketLike): void {
    this.#setState('connecting')
    this.#welcomedThisAttempt = false
    const ws = adopted ?? new this.#options.WebSocket(this.#connectUrl)
    this.#resumable = !adopted && this.#resumes
    ws.binaryType = 'arraybuffer'
    this.#ws = ws
    const adoptedOpen = adopted?.readyState === READY_STATE.OPEN
    this.#inbox.connected(adoptedOpen)
    // A socket replaced (or let go of by close()) may still report; only the current one counts.
    ws.addEventListener('message', (event) => {
      if (this.#ws !== ws) return
      this.#keepalive.received()
      this.#inbox.receive(event.data)
    })
    ws.addEventListener('close', (event) => {
      if (this.#ws === ws) this.#closed(event.code, event.reason)
    })
    // A failed connection also closes (1006); that is where it is handled.
    ws.addEventListener('error', () => undefined)
    // Whatever answers this comes after the welcome, if the welcome is still to come (see Inbox.connected).
    if (adoptedOpen) ws.send(PING_FRAME)
  }

  /** The connection is open: at its welcome, or (`undefined`) once an adopted socket's welcome proved missed. */
  #welcomed(frame: WelcomeFrame | undefined): void {
    this.welcome = frame?.data
    this.channelId = frame?.channelId
    this.#welcomedThisAttempt = true
    this.#attempt = 0
    this.reconnecting = undefined
    this.#setState('open')
    this.#keepalive.start()
    // Before anything goes out: requests retried on this connection go only if it keeps answers.
    this.#requests.welcomed(this.#resumable ? frame?.retryWindowMs : undefined)
    // Subscriptions first, so that replays come before anything the buffer triggers.
    this.#subscriptions.resubscribe()
    this.#presence.welcomed()
    this.#outbox.flush()
    this.#opened.resolve()
  }

  #write(outgoing: Outgoing): void {
    this.#keepalive.sent()
    this.#ws!.send(outgoing.frame)
    if (outgoing.id !== undefined) this.#requests.markSent(outgoing.id)
  }

  /** A keepalive went unanswered: the socket is dead without having closed. Let it go and reconnect. */
  #halfOpen(): void {
    const ws = this.#ws
    if (!ws || this.#state !== 'open') return
    const reason = `No answer to a keepalive within ${this.#options.keepaliveTimeoutMs} ms`
    try {
      ws.close(CloseCode.SILENT, reason)
    } catch {
      // A socket in a bad state may refuse to close; it is dropped either way.
    }
    this.#closed(CloseCode.ABNORMAL, reason)
  }

  #closed(code: number, reason: string): void {
    this.#ws = undefined
    this.lastClose = { code, reason }
    this.#keepalive.stop()
    if (this.#state === 'closed') return
    if (FINAL_CLOSE_CODES.has(code)) return this.#stop(closedError(code, reason))
    // Closed before its welcome with no close frame: a refused upgrade looks exactly like this. Ask why.
    const probe = code === CloseCode.ABNORMAL && !this.#welcomedThisAttempt ? this.#options.probe : undefined
    if (!probe) return this.#reconnectAfter(code, reason)
    void probeHandshake(this.url, probe).then((refused) => {
      if (this.#state === 'closed') return // close() was called meanwhile
      if (refused) this.#stop(refused)
      else this.#reconnectAfter(code, reason)
    })
  }

  /** An unexpected close that retrying may mend: reconnect with backoff (or, with `reconnect: false`, stop). */
  #reconnectAfter(code: number, reason: string): void {
    if (this.#options.reconnect === false) return this.#stop(closedError(code, reason))
    this.#requests.disconnected()
    // Keep a `ready()` taken before this close waiting for the next welcome.
    if (this.#opened.settled) this.#opened = deferred<void>()
    const delay = RESTART_CLOSE_CODES.has(code)
      ? spreadDelay(retryHintOf(reason), this.#options.restartSpreadMs)
      : backoffDelay(this.#attempt, this.#options.reconnect || undefined)
    this.#attempt++
    this.reconnecting = { attempt: this.#attempt, delayMs: delay }
    this.#setState('connecting')
    this.#retry = setTimeout(() => this.#connect(), delay)
  }

  #stop(error: ChannelClientError): void {
    this.lastError = error
    this.reconnecting = undefined
    cancelTimeout(this.#retry)
    this.#keepalive.stop()
    this.#setState('closed')
    this.#requests.rejectAll(error)
    this.#outbox.clear()
    if (this.#opened.settled) this.#opened = deferred<void>()
    this.#opened.reject(error)
    this.#subscriptions.rejectUnacknowledged(error)
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return
    this.#state = state
    for (const listener of this.#stateListeners) listener(state)
  }
}

/** A random resume token (a UUID), or none where there is no `crypto.randomUUID` (then requests are not retried). */
function resumeToken(): string | undefined {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  return typeof crypto?.randomUUID === 'function' ? crypto.randomUUID() : undefined
}

function closedError(code: number, reason: string): ChannelClientError {
  return new ChannelClientError('CLOSED', `The server closed the connection (${code}${reason ? `: ${reason}` : ''})`)
}

/** Connects to a channel instance: `createClient<typeof chatChannel>('wss://host/chat/general')`. */
export function createClient<Channel extends AnyChannel = AnyChannel>(url: string | URL, options?: ClientOptions): ChannelClient<Channel> {
  return new ChannelClient<Channel>(String(url), options)
}
