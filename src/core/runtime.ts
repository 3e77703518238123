import { exceeds } from './bytes'
import { callFunction } from './call'
import { runChannelMiddleware, type ChannelEvent, type PikkuChannelMiddleware } from './channel-middleware'
import type { Connection } from './connection'
import { ChannelError, INTERNAL_ERROR, type ErrorPayload } from './errors'
import { EventHub, replayedEvent, type GlobalBridge, type HubStore, type PreparedEvent } from './event-hub'
import { PLATFORM_MAX_MESSAGE_SIZE, resolveLimits, type Limits } from './limits'
import type { Logger } from './logger'
import { MemoryHubStore } from './memory-hub-store'
import type { Interaction } from './middleware'
import { CloseCode, clampCloseReason, encodeError, encodeMessage, encodePong, encodeReply, encodeWelcome, FrameError, isSendableCloseCode, parseFrame, type RequestId } from './protocol'
import { registry } from './registry'
import { createScope, type ScopeOwner } from './scope'
import { subscriptionActions, type BuiltInAction } from './subscription-actions'
import { TokenBucket } from './token-bucket'
import type { ChannelDefinition, ResolvedAction } from './wire-channel'

/** The app's singleton services plus the logger every handler gets. */
export type SingletonServices = Record<string, unknown> & { logger: Logger }

/** What a host gives the runtime beyond the channel and its services. */
export interface RuntimeOptions {
  /** Where EventHub state lives (the object's SQLite); in memory by default. */
  hubStore?: HubStore
  /** Finds a connection of this instance by channel id, for ones not seen since the last wake. */
  lookup?: (channelId: string) => Connection | undefined
  /** Cross-instance fan-out for global topics. */
  global?: GlobalBridge
}

/** How a failed `onConnect` closes the socket, by error code; anything else is 1011. */
const LIFECYCLE_CLOSE_CODES: Partial<Record<string, number>> = {
  UNAUTHENTICATED: CloseCode.UNAUTHENTICATED,
  FORBIDDEN: CloseCode.FORBIDDEN,
  INVALID_INPUT: CloseCode.INVALID_OPENING,
  RATE_LIMITED: CloseCode.RATE_LIMITED,
}

const textEncoder = new TextEncoder()
const DONE = Promise.resolve()

/**
 * Runs one channel's handlers for its connections: the pure core of the
 * product. It parses frames, routes actions, authorizes, validates, runs
 * middleware and functions, and encodes what goes back; the transport
 * (a Durable Object, or a fake in tests) only moves frames.
 */
export class ChannelRuntime implements ScopeOwner {
  readonly hub: EventHub
  readonly #logger: Logger
  /** Limits for connections whose record carries none (made without a router). */
  readonly #limits: Limits
  readonly #outgoing: readonly PikkuChannelMiddleware[]
  /** Connections seen since the last wake, by channel id; `lookup` finds the others. */
  readonly #connections = new Map<string, Connection>()
  readonly #lookup: ((channelId: string) => Connection | undefined) | undefined
  /** `$subscribe` and `$unsubscribe` (`$ping` needs no function). */
  readonly #builtIns: ReadonlyMap<string, BuiltInAction>

  constructor(
    readonly channel: ChannelDefinition,
    readonly singletons: SingletonServices,
    options: RuntimeOptions = {},
  ) {
    this.#logger = singletons.logger
    this.#limits = resolveLimits(channel.limits)
    this.#outgoing = registry.channelMiddlewareFor(channel)
    this.#lookup = options.lookup
    this.hub = new EventHub(channel.name, channel.topics, options.hubStore ?? new MemoryHubStore(), (channelId, event) => this.#deliver(channelId, event), {
      replay: channel.replay,
      global: options.global,
    })
    const builtIns = subscriptionActions({
      channel,
      hub: this.hub,
      replay: (channelId, logged) => this.#deliver(channelId, replayedEvent(logged, this.#outgoing.length > 0)),
    })
    this.#builtIns = new Map(Object.entries(builtIns))
  }

  get channelName(): string {
    return this.channel.name
  }

  get routePattern(): string {
    return this.channel.route.pattern
  }

  /** Runs `onConnect` and opens the connection with `welcome`; closes it if `onConnect` fails. */
  async connect(conn: Connection): Promise<void> {
    this.#connections.set(conn.record.channelId, conn)
    const onConnect = this.channel.onConnect
    let result: unknown
    if (onConnect) {
      try {
        result = await this.#call(conn, onConnect, conn.record.openingData, 'connect')
      } catch (error) {
        const payload = this.#toPayload(error, conn, 'onConnect')
        const code = LIFECYCLE_CLOSE_CODES[payload.code] ?? CloseCode.INTERNAL
        // onConnect never completed, so there is nothing for onDisconnect to undo.
        if (conn.markClosed()) {
          conn.socket.close(code, clampCloseReason(payload.message))
          await this.#forget(conn)
        }
        return
      }
    }
    // What onConnect sent must be ready to follow the welcome.
    await conn.flushed()
    // Closed while onConnect ran (by the handler or the peer): it did connect, so it disconnects once.
    if (conn.state === 'closed') return this.#disconnect(conn)
    try {
      conn.open(encodeWelcome(conn.record.channelId, result))
    } catch (error) {
      this.#toPayload(error, conn, 'welcome')
      await this.#shutdown(conn, CloseCode.INTERNAL, 'Internal error')
    }
  }

  /**
   * Handles one frame from the client. Never rejects: every failure becomes an
   * error frame. (Not itself async: each promise per message costs throughput.)
   */
  message(conn: Connection, message: string | ArrayBuffer): Promise<void> {
    if (conn.state !== 'open') return DONE
    this.#connections.set(conn.record.channelId, conn)
    const limits = conn.record.limits ?? this.#limits
    if (exceeds(message, limits.maxMessageSize)) {
      // Past the platform's own limit, do what the platform does in production, so local runs behave alike.
      if (exceeds(message, PLATFORM_MAX_MESSAGE_SIZE)) return this.#shutdown(conn, CloseCode.TOO_LARGE, 'Frame exceeds the 32 MiB platform limit')
      conn.send(encodeError(undefined, undefined, { code: 'TOO_LARGE', message: `Frame is larger than this channel's limit of ${limits.maxMessageSize} bytes` }))
      return DONE
    }
    if (limits.rateLimit) {
      conn.bucket ??= new TokenBucket(limits.rateLimit, Date.now())
      if (!conn.bucket.take(Date.now())) return this.#refuse(conn, message, limits.rateLimit.closeAfter) ?? DONE
    }
    return typeof message === 'string' ? this.#text(conn, message) : this.#binary(conn, message)
  }

  /** Nothing may be left in flight when a message's event ends: the object could hibernate under it. */
  async #settle(conn: Connection): Promise<void> {
    if (conn.queued) await conn.flushed()
    if (conn.disconnecting) await conn.disconnecting
  }

  /** The peer closed the connection, or it failed: `onDisconnect` runs if it has not yet. */
  async closed(conn: Connection): Promise<void> {
    const previous = conn.markClosed()
    if (!previous) return
    await this.#forget(conn)
    if (previous === 'open') await this.#disconnect(conn)
  }

  hasConnection(channelId: string): boolean {
    return this.#openConnection(channelId) !== undefined
  }

  /** An open connection of this instance, by channel id: seen since the last wake, or found by the host. */
  #openConnection(channelId: string): Connection | undefined {
    let conn = this.#connections.get(channelId)
    if (!conn) {
      conn = this.#lookup?.(channelId)
      if (conn) this.#connections.set(channelId, conn)
    }
    return conn?.state === 'closed' ? undefined : conn
  }

  /** Server-side close (`channel.close`): closes the socket and runs `onDisconnect` once. */
  close(conn: Connection, code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    if (!isSendableCloseCode(code)) throw new RangeError(`channel.close: code ${code} is not allowed; use 1000 or 3000-4999`)
    return this.#shutdown(conn, code, reason)
  }

  /** `channel.send`: JSON in a `message` frame (through channel middleware), or raw bytes. */
  send(conn: Connection, data: unknown, isBinary = false): void | Promise<void> {
    if (!isBinary) return this.#emit(conn, { type: 'message', data })
    if (typeof data === 'string') return conn.send(textEncoder.encode(data))
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return conn.send(data)
    throw new TypeError('channel.send(data, true) needs an ArrayBuffer, a typed array or a string')
  }

  async #shutdown(conn: Connection, code: number, reason: string): Promise<void> {
    // The closed state is saved before the socket closes, so a woken instance never runs onDisconnect again.
    const previous = conn.markClosed()
    if (!previous) return conn.disconnecting
    conn.socket.close(code, clampCloseReason(reason))
    await this.#forget(conn)
    // While onConnect runs, connect() sees the closed state and disconnects when it finishes.
    if (previous === 'open') await this.#disconnect(conn)
  }

  /** A closed connection leaves the index, and its subscriptions go. */
  async #forget(conn: Connection): Promise<void> {
    this.#connections.delete(conn.record.channelId)
    try {
      await this.hub.drop(conn.record.channelId)
    } catch (error) {
      this.#toPayload(error, conn, 'dropping subscriptions')
    }
  }

  /** Sends an EventHub delivery; false if the connection is gone. */
  #deliver(channelId: string, event: PreparedEvent): boolean {
    const conn = this.#openConnection(channelId)
    if (!conn) return false
    if (event.bytes) {
      // A binary event is its header frame, then the bytes; channel middleware does not see it.
      conn.send(event.frame)
      conn.send(event.bytes)
    } else if (this.#outgoing.length === 0) conn.send(event.frame)
    else void this.#emit(conn, { type: 'event', topic: event.topic, data: event.data, seq: event.seq })
    return true
  }

  /** Over the rate limit: an error the client can correlate, then a close if it keeps going. */
  #refuse(conn: Connection, message: string | ArrayBuffer, closeAfter: number): Promise<void> | void {
    if (conn.bucket!.refusedInARow > closeAfter) return this.#shutdown(conn, CloseCode.RATE_LIMITED, 'Rate limited')
    let action: string | undefined
    let id: RequestId | undefined
    if (typeof message === 'string') {
      try {
        ;({ action, id } = parseFrame(message, this.channel.routingKey, false))
      } catch {
        // Unreadable as well as too fast: answer without correlation.
      }
    }
    conn.send(encodeError(action, id, { code: 'RATE_LIMITED', message: 'Too many messages; slow down' }))
  }

  async #text(conn: Connection, text: string): Promise<void> {
    const channel = this.channel
    let frame
    try {
      frame = parseFrame(text, channel.routingKey, channel.onMessage === undefined)
    } catch (error) {
      const { action, id } = error instanceof FrameError ? error : { action: undefined, id: undefined }
      conn.send(encodeError(action, id, (error as ChannelError).toPayload()))
      return
    }
    const { action, id, input } = frame
    if (action !== undefined && action.charCodeAt(0) === 36 /* $ */) {
      await this.#reserved(conn, action, id, input)
      return this.#settle(conn)
    }
    const target = (action === undefined ? undefined : channel.actions.get(action)) ?? channel.onMessage
    if (!target) {
      conn.send(encodeError(action, id, { code: 'UNKNOWN_ACTION', message: `Unknown action "${truncate(action!)}"` }))
      return
    }
    let result: unknown
    try {
      result = await this.#call(conn, target, input, 'message', action)
    } catch (error) {
      conn.send(encodeError(action, id, this.#toPayload(error, conn, action ?? 'onMessage')))
      return conn.queued || conn.disconnecting ? this.#settle(conn) : undefined
    }
    if (id !== undefined || result !== undefined) {
      const sending = this.#emit(conn, { type: 'reply', action, id, data: result })
      if (sending) await sending
    }
    if (conn.queued || conn.disconnecting) await this.#settle(conn)
  }

  async #binary(conn: Connection, bytes: ArrayBuffer): Promise<void> {
    const target = this.channel.onBinaryMessage
    if (!target) {
      conn.send(encodeError(undefined, undefined, { code: 'BINARY_NOT_SUPPORTED', message: `Channel "${this.channel.name}" does not accept binary frames` }))
      return
    }
    try {
      const result = await this.#call(conn, target, new Uint8Array(bytes), 'message')
      if (result !== undefined) await this.send(conn, result, result instanceof ArrayBuffer || ArrayBuffer.isView(result))
    } catch (error) {
      conn.send(encodeError(undefined, undefined, this.#toPayload(error, conn, 'onBinaryMessage')))
    }
    return this.#settle(conn)
  }

  /** Built-in `$` actions. */
  async #reserved(conn: Connection, action: string, id: RequestId | undefined, input: unknown): Promise<void> {
    if (action === '$ping') return conn.send(encodePong(id))
    const builtIn = this.#builtIns.get(action)
    if (!builtIn) return conn.send(encodeError(action, id, { code: 'UNKNOWN_ACTION', message: `Unknown built-in action "${truncate(action)}"` }))
    let result: unknown
    try {
      const { data, rules } = await builtIn.prepare(input)
      result = await callFunction(builtIn.func, data, rules, this.#scope(conn), () => this.#interaction(conn, 'message', action))
    } catch (error) {
      return conn.send(encodeError(action, id, this.#toPayload(error, conn, action)))
    }
    await this.#emit(conn, { type: 'reply', action, id, data: result })
  }

  /**
   * Sends a reply, message or event: straight to the socket when there is no
   * channel middleware, otherwise through it, in order with everything else.
   */
  #emit(conn: Connection, event: ChannelEvent): void | Promise<void> {
    if (this.#outgoing.length === 0) {
      try {
        return conn.send(event.type === 'reply' ? encodeReply(event.action as string, event.id as RequestId, event.data) : event.type === 'message' ? encodeMessage(event.data) : JSON.stringify(event))
      } catch (error) {
        return this.#unsendable(conn, event, error)
      }
    }
    return conn.enqueue(async () => {
      try {
        const events = await runChannelMiddleware(this.#outgoing, this.#scope(conn).services, event)
        return events.map((e) => JSON.stringify(e))
      } catch (error) {
        this.#unsendable(conn, event, error)
        return []
      }
    })
  }

  /** A reply that cannot be encoded (or whose middleware failed) still answers its request. */
  #unsendable(conn: Connection, event: ChannelEvent, error: unknown): void {
    const payload = this.#toPayload(error, conn, `sending a ${event.type}`)
    if (event.type === 'reply') conn.send(encodeError(event.action as string | undefined, event.id as RequestId | undefined, payload))
  }

  #call(conn: Connection, target: ResolvedAction, data: unknown, kind: Interaction['kind'], action?: string): Promise<unknown> {
    return callFunction(target.func, data, target, this.#scope(conn), () => this.#interaction(conn, kind, action))
  }

  #interaction(conn: Connection, kind: Interaction['kind'], action?: string): Interaction {
    return { kind, channel: this.channel.name, route: this.channel.route.pattern, channelId: conn.record.channelId, action }
  }

  #disconnect(conn: Connection): Promise<void> {
    const onDisconnect = this.channel.onDisconnect
    if (!onDisconnect) return Promise.resolve()
    conn.disconnecting = this.#call(conn, onDisconnect, conn.record.openingData, 'disconnect').then(
      () => undefined,
      (error) => void this.#toPayload(error, conn, 'onDisconnect'),
    )
    return conn.disconnecting
  }

  #scope(conn: Connection) {
    return (conn.scope ??= createScope(this, conn))
  }

  /** What the client may see of an error; anything unexpected is logged with its stack and hidden. */
  #toPayload(error: unknown, conn: Connection, where: string): ErrorPayload {
    if (error instanceof ChannelError) return error.toPayload()
    this.#logger.error('channel.handler_failed', { channel: this.channel.name, channelId: conn.record.channelId, where, error })
    return INTERNAL_ERROR
  }
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text
}

