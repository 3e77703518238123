import { DurableObject } from 'cloudflare:workers'
import { Connection, type ConnectionRecord } from '../core/connection'
import { resolveLimits } from '../core/limits'
import { parseWith } from '../core/schema'
import { CloseCode, encodeError, PING_FRAME, PONG_FRAME } from '../core/protocol'
import { registry } from '../core/registry'
import { ChannelRuntime, type SingletonServices } from '../core/runtime'
import { ChannelError, INTERNAL_ERROR } from '../core/errors'
import { readForwardedUpgrade } from './forwarded-upgrade'
import { HibernatableSocket } from './hibernatable-socket'
import { createSingletonServices } from './services'

/**
 * The Durable Object behind every channel instance (one per filled-in route,
 * e.g. `chat` at `/chat/general`). It accepts sockets with the hibernation
 * API and hands every event to the channel's runtime. Nothing it needs lives
 * only in memory: connections are rebuilt from socket attachments after a
 * wake, and services are recreated on demand.
 *
 * Re-export it from your Worker and bind it as `CHANNELS`.
 */
export class ChannelObject extends DurableObject<Record<string, unknown>> {
  /** Connections by socket, for this wake only; the attachment is the source of truth. */
  readonly #connections = new WeakMap<WebSocket, Connection>()
  readonly #runtimes = new Map<string, ChannelRuntime>()
  #singletons: Promise<SingletonServices> | undefined

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env)
    // Keepalives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
  }

  override async fetch(request: Request): Promise<Response> {
    const upgrade = readForwardedUpgrade(request)
    if (!upgrade || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json({ error: { code: 'BAD_REQUEST', message: 'ChannelObject only accepts WebSocket upgrades forwarded by channels()' } }, { status: 400 })
    }
    let runtime: ChannelRuntime | undefined
    try {
      runtime = await this.#runtime(upgrade.channel)
    } catch (error) {
      console.error('channel.services_failed', error)
      return Response.json({ error: INTERNAL_ERROR }, { status: 500 })
    }
    if (!runtime) return Response.json({ error: { code: 'NOT_FOUND', message: `No channel named "${upgrade.channel}" is wired` } }, { status: 404 })

    let openingData: unknown = upgrade.openingInput
    const schema = runtime.channel.openingData
    if (schema) {
      try {
        openingData = await parseWith(schema, upgrade.openingInput, 'Opening data')
      } catch (error) {
        if (error instanceof ChannelError) return Response.json({ error: error.toPayload() }, { status: 400 })
        throw error
      }
    }

    const limits = resolveLimits(runtime.channel.limits, upgrade.limits)
    if (this.ctx.getWebSockets().length >= limits.maxConnections) {
      return Response.json({ error: { code: 'CHANNEL_FULL', message: `This channel instance holds its maximum of ${limits.maxConnections} connections` } }, { status: 503 })
    }

    const { 0: client, 1: server } = new WebSocketPair()
    const socket = new HibernatableSocket(server)
    const record: ConnectionRecord = { channelId: crypto.randomUUID(), channel: upgrade.channel, path: upgrade.path, openingData, state: 'initial', limits }
    if (upgrade.session !== undefined) record.session = upgrade.session
    try {
      // Saved before accepting, so an oversized session is refused rather than half-connected.
      socket.save(record)
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'channel.upgrade_failed', channel: upgrade.channel, error: (error as Error).message }))
      return Response.json({ error: INTERNAL_ERROR }, { status: 500 })
    }
    this.ctx.acceptWebSocket(server)
    const conn = new Connection(record, socket)
    this.#connections.set(server, conn)
    await runtime.connect(conn)
    return new Response(null, { status: 101, webSocket: client })
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    let found
    try {
      found = await this.#find(ws)
    } catch (error) {
      // Only building the app's services can fail here; the runtime itself never throws.
      console.error('channel.services_failed', error)
      ws.send(encodeError(undefined, undefined, INTERNAL_ERROR))
      return
    }
    if (found) await found.runtime.message(found.conn, message)
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake: the hibernation API leaves it to us.
    // 1005/1006/1015 describe a close; they cannot be sent in one.
    const reply = code === CloseCode.NO_STATUS || code === CloseCode.ABNORMAL || code === CloseCode.TLS ? CloseCode.NORMAL : code
    try {
      ws.close(reply, reason)
    } catch {
      // Already closed.
    }
    const found = await this.#find(ws)
    if (found) await found.runtime.closed(found.conn)
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const found = await this.#find(ws)
    if (!found) return
    found.runtime.singletons.logger.warn('channel.socket_error', { channel: found.conn.record.channel, channelId: found.conn.record.channelId, error })
    await found.runtime.closed(found.conn)
  }

  /** The connection and runtime for a socket, rebuilt from its attachment after a wake. */
  async #find(ws: WebSocket): Promise<{ conn: Connection; runtime: ChannelRuntime } | undefined> {
    let conn = this.#connections.get(ws)
    if (!conn) {
      const record = HibernatableSocket.read(ws)
      if (!record) {
        ws.close(CloseCode.INTERNAL, 'Unknown connection')
        return undefined
      }
      conn = new Connection(record, new HibernatableSocket(ws))
      this.#connections.set(ws, conn)
    }
    const runtime = await this.#runtime(conn.record.channel)
    if (!runtime) {
      // The channel was removed by a deploy while this socket stayed attached.
      conn.markClosed()
      conn.socket.close(CloseCode.CHANNEL_GONE, 'Channel no longer exists')
      return undefined
    }
    return { conn, runtime }
  }

  async #runtime(name: string): Promise<ChannelRuntime | undefined> {
    const existing = this.#runtimes.get(name)
    if (existing) return existing
    const channel = registry.channels.get(name)
    if (!channel) return undefined
    const singletons = await this.#services()
    const runtime = this.#runtimes.get(name) ?? new ChannelRuntime(channel, singletons)
    this.#runtimes.set(name, runtime)
    return runtime
  }

  #services(): Promise<SingletonServices> {
    this.#singletons ??= createSingletonServices({ env: this.env, storage: this.ctx.storage }).catch((error) => {
      // Let the next event try again rather than pinning a failure.
      this.#singletons = undefined
      throw error
    })
    return this.#singletons
  }
}
