import { callFunction } from './call'
import { runChannelMiddleware, type ChannelEvent, type PikkuChannelMiddleware } from './channel-middleware'
import type { Connection } from './connection'
import { ChannelError, INTERNAL_ERROR, type ErrorPayload } from './errors'
import { PLATFORM_MAX_MESSAGE_SIZE, resolveLimits, type Limits } from './limits'
import type { Logger } from './logger'
import type { Interaction } from './middleware'
import { CloseCode, clampCloseReason, encodeError, encodeMessage, encodePong, encodeReply, encodeWelcome, FrameError, isSendableCloseCode, parseFrame, type RequestId } from './protocol'
import { registry } from './registry'
import { createScope, type ScopeOwner } from './scope'
import { TokenBucket } from './token-bucket'
import type { ChannelDefinition, ResolvedAction } from './wire-channel'

/** The app's singleton services plus the logger every handler gets. */
export type SingletonServices = Record<string, unknown> & { logger: Logger }

/** How a failed `onConnect` closes the socket, by error code; anything else is 1011. */
const LIFECYCLE_CLOSE_CODES: Partial<Record<string, number>> = {
  UNAUTHENTICATED: CloseCode.UNAUTHENTICATED,
  FORBIDDEN: CloseCode.FORBIDDEN,
  INVALID_INPUT: CloseCode.INVALID_OPENING,
  RATE_LIMITED: CloseCode.RATE_LIMITED,
}

const textEncoder = new TextEncoder()

/**
 * Runs one channel's handlers for its connections: the pure core of the
 * product. It parses frames, routes actions, authorizes, validates, runs
 * middleware and functions, and encodes what goes back; the transport
 * (a Durable Object, or a fake in tests) only moves frames.
 */
export class ChannelRuntime implements ScopeOwner {
  readonly #logger: Logger
  /** Limits for connections whose record carries none (made without a router). */
  readonly #limits: Limits
  readonly #outgoing: readonly PikkuChannelMiddleware[]

  constructor(
    readonly channel: ChannelDefinition,
    readonly singletons: SingletonServices,
  ) {
    this.#logger = singletons.logger
    this.#limits = resolveLimits(channel.limits)
    this.#outgoing = registry.channelMiddlewareFor(channel)
  }

  get channelName(): string {
    return this.channel.name
  }

  get routePattern(): string {
    return this.channel.route.pattern
  }

  /** Runs `onConnect` and opens the connection with `welcome`; closes it if `onConnect` fails. */
  async connect(conn: Connection): Promise<void> {
    const onConnect = this.channel.onConnect
    let result: unknown
    if (onConnect) {
      try {
        result = await this.#call(conn, onConnect, conn.record.openingData, 'connect')
      } catch (error) {
        const payload = this.#toPayload(error, conn, 'onConnect')
        const code = LIFECYCLE_CLOSE_CODES[payload.code] ?? CloseCode.INTERNAL
        // onConnect never completed, so there is nothing for onDisconnect to undo.
        if (conn.markClosed()) conn.socket.close(code, clampCloseReason(payload.message))
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

  /** Handles one frame from the client. Never throws: every failure becomes an error frame. */
  async message(conn: Connection, message: string | ArrayBuffer): Promise<void> {
    if (conn.state !== 'open') return
    const limits = conn.record.limits ?? this.#limits
    if (exceeds(message, limits.maxMessageSize)) {
      // Past the platform's own limit, do what the platform does in production, so local runs behave alike.
      if (exceeds(message, PLATFORM_MAX_MESSAGE_SIZE)) return this.#shutdown(conn, CloseCode.TOO_LARGE, 'Frame exceeds the 32 MiB platform limit')
      conn.send(encodeError(undefined, undefined, { code: 'TOO_LARGE', message: `Frame is larger than this channel's limit of ${limits.maxMessageSize} bytes` }))
      return
    }
    if (limits.rateLimit) {
      conn.bucket ??= new TokenBucket(limits.rateLimit, Date.now())
      if (!conn.bucket.take(Date.now())) return this.#refuse(conn, message, limits.rateLimit.closeAfter)
    }
    if (typeof message === 'string') await this.#text(conn, message)
    else await this.#binary(conn, message)
    await conn.flushed()
    if (conn.disconnecting) await conn.disconnecting
  }

  /** The peer closed the connection, or it failed: `onDisconnect` runs if it has not yet. */
  async closed(conn: Connection): Promise<void> {
    const previous = conn.markClosed()
    if (previous === 'open') await this.#disconnect(conn)
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

  #shutdown(conn: Connection, code: number, reason: string): Promise<void> {
    const previous = conn.markClosed()
    if (!previous) return conn.disconnecting ?? Promise.resolve()
    conn.socket.close(code, clampCloseReason(reason))
    // While onConnect runs, connect() sees the closed state and disconnects when it finishes.
    return previous === 'open' ? this.#disconnect(conn) : Promise.resolve()
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
    if (action !== undefined && action.charCodeAt(0) === 36 /* $ */) return this.#reserved(conn, action, id)
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
      return
    }
    if (id !== undefined || result !== undefined) await this.#emit(conn, { type: 'reply', action, id, data: result })
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
  }

  /** Built-in `$` actions. */
  #reserved(conn: Connection, action: string, id: RequestId | undefined): void {
    if (action === '$ping') return conn.send(encodePong(id))
    conn.send(encodeError(action, id, { code: 'UNKNOWN_ACTION', message: `Unknown built-in action "${truncate(action)}"` }))
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
    const scope = this.#scope(conn)
    const interaction = { kind, channel: this.channel.name, route: this.channel.route.pattern, channelId: conn.record.channelId, action }
    return callFunction(target.func, data, target, scope, interaction)
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

/** Whether a frame is over `limit` bytes, without encoding text unless it has to. */
function exceeds(message: string | ArrayBuffer, limit: number): boolean {
  if (typeof message !== 'string') return message.byteLength > limit
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: decide cheaply when we can.
  if (message.length > limit) return true
  if (message.length * 3 <= limit) return false
  return textEncoder.encode(message).byteLength > limit
}
