import { callFunction, type CallScope } from './call'
import { Connection } from './connection'
import { ChannelError, INTERNAL_ERROR, type ErrorPayload } from './errors'
import type { Logger } from './logger'
import type { Interaction } from './middleware'
import { CloseCode, encodeError, encodeMessage, encodePong, encodeReply, encodeWelcome, FrameError, isSendableCloseCode, clampCloseReason, parseFrame, type RequestId } from './protocol'
import { createRPC } from './rpc'
import type { ChannelHandle, Services, Wire } from './types'
import { PLATFORM_MAX_MESSAGE_SIZE, type ChannelDefinition, type ResolvedAction } from './wire-channel'

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
export class ChannelRuntime {
  readonly #logger: Logger

  constructor(
    readonly channel: ChannelDefinition,
    readonly singletons: SingletonServices,
  ) {
    this.#logger = singletons.logger
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
    // Closed while onConnect ran (by the handler or the peer): it did connect, so it disconnects once.
    if (conn.state === 'closed') return this.#disconnect(conn)
    try {
      conn.open(encodeWelcome(conn.record.channelId, result))
    } catch (error) {
      this.#toPayload(error, conn, 'welcome')
      this.close(conn, CloseCode.INTERNAL, 'Internal error')
    }
  }

  /** Handles one frame from the client. Never throws: every failure becomes an error frame. */
  async message(conn: Connection, message: string | ArrayBuffer): Promise<void> {
    if (conn.state !== 'open') return
    if (exceeds(message, this.channel.maxMessageSize)) {
      // Past the platform's own limit, do what the platform does in production, so local runs behave alike.
      if (exceeds(message, PLATFORM_MAX_MESSAGE_SIZE)) return this.#shutdown(conn, CloseCode.TOO_LARGE, 'Frame exceeds the 32 MiB platform limit')
      conn.send(encodeError(undefined, undefined, { code: 'TOO_LARGE', message: `Frame is larger than this channel's limit of ${this.channel.maxMessageSize} bytes` }))
      return
    }
    if (typeof message === 'string') await this.#text(conn, message)
    else await this.#binary(conn, message)
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

  #shutdown(conn: Connection, code: number, reason: string): Promise<void> {
    const previous = conn.markClosed()
    if (!previous) return conn.disconnecting ?? Promise.resolve()
    conn.socket.close(code, clampCloseReason(reason))
    // While onConnect runs, connect() sees the closed state and disconnects when it finishes.
    return previous === 'open' ? this.#disconnect(conn) : Promise.resolve()
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
    try {
      const result = await this.#call(conn, target, input, 'message', action)
      if (id !== undefined || result !== undefined) conn.send(encodeReply(action, id, result))
    } catch (error) {
      conn.send(encodeError(action, id, this.#toPayload(error, conn, action ?? 'onMessage')))
    }
  }

  async #binary(conn: Connection, bytes: ArrayBuffer): Promise<void> {
    const target = this.channel.onBinaryMessage
    if (!target) {
      conn.send(encodeError(undefined, undefined, { code: 'BINARY_NOT_SUPPORTED', message: `Channel "${this.channel.name}" does not accept binary frames` }))
      return
    }
    try {
      const result = await this.#call(conn, target, new Uint8Array(bytes), 'message')
      if (result !== undefined) this.#send(conn, result, result instanceof ArrayBuffer || ArrayBuffer.isView(result))
    } catch (error) {
      conn.send(encodeError(undefined, undefined, this.#toPayload(error, conn, 'onBinaryMessage')))
    }
  }

  /** Built-in `$` actions. */
  #reserved(conn: Connection, action: string, id: RequestId | undefined): void {
    if (action === '$ping') return conn.send(encodePong(id))
    conn.send(encodeError(action, id, { code: 'UNKNOWN_ACTION', message: `Unknown built-in action "${truncate(action)}"` }))
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

  /** `channel.send`: JSON in a `message` frame, or raw bytes. */
  #send(conn: Connection, data: unknown, isBinary = false): void {
    if (!isBinary) return conn.send(encodeMessage(data))
    if (typeof data === 'string') return conn.send(textEncoder.encode(data))
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return conn.send(data)
    throw new TypeError('channel.send(data, true) needs an ArrayBuffer, a typed array or a string')
  }

  /** Services and wire for one connection, built once per wake. */
  #scope(conn: Connection): CallScope {
    if (conn.scope) return conn.scope
    const channel: ChannelHandle = {
      channelId: conn.record.channelId,
      openingData: conn.record.openingData,
      get state() {
        return conn.state
      },
      send: (data, isBinary) => this.#send(conn, data, isBinary),
      close: (code, reason) => void this.close(conn, code, reason),
    }
    const wire: Wire = {
      get session() {
        return conn.record.session as Wire['session']
      },
      setSession: (session) => conn.setSession(session),
      clearSession: () => conn.clearSession(),
      channel,
    }
    const interaction: Interaction = { kind: 'message', channel: this.channel.name, route: this.channel.route.pattern, channelId: conn.record.channelId }
    const services = { ...this.singletons, channel } as unknown as Services
    const scope: CallScope = { services, wire }
    services.rpc = createRPC(() => scope, () => interaction)
    conn.scope = scope
    return scope
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
