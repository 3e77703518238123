import { DurableObject } from 'cloudflare:workers'
import { Connection, type ConnectionRecord } from '../core/connection'
import { ChannelError, INTERNAL_ERROR } from '../core/errors'
import type { GlobalBridge, PublishResult } from '../core/event-hub'
import { PLATFORM_MAX_CONNECTIONS, resolveLimits } from '../core/limits'
import { createConsoleLogger } from '../core/logger'
import { CloseCode, encodeError, PING_FRAME, PONG_FRAME } from '../core/protocol'
import { registry } from '../core/registry'
import { ChannelRuntime, type SingletonServices } from '../core/runtime'
import { parseWith } from '../core/schema'
import { readForwardedUpgrade } from './forwarded-upgrade'
import { HibernatableSocket } from './hibernatable-socket'
import { ObjectIdentity } from './object-identity'
import { createSingletonServices } from './services'
import { SqlHubStore } from './sql-hub-store'
import { coordinatorName, instanceName } from './object-names'
import { TopicCoordinator } from './topic-coordinator'

/** For failures before the app's services (and their logger) exist. */
const log = createConsoleLogger()

/** How an outside caller reaches an instance: its name, and the binding it is reachable under. */
export interface InstanceAddress {
  instance: string
  binding: string
}

/**
 * The Durable Object behind every channel instance (one per filled-in route,
 * e.g. `chat` at `/chat/general`). It accepts sockets with the hibernation
 * API and hands every event to the channel's runtime. Nothing it needs lives
 * only in memory: connections are rebuilt from socket attachments after a
 * wake, subscriptions from SQLite, and services are recreated on demand.
 * The same class also serves as the coordinator of a global topic.
 *
 * Re-export it from your Worker and bind it as `CHANNELS`.
 */
export class ChannelObject extends DurableObject<Record<string, unknown>> {
  /** Connections by socket, for this wake only; the attachment is the source of truth. */
  readonly #connections = new WeakMap<WebSocket, Connection>()
  readonly #runtimes = new Map<string, ChannelRuntime>()
  readonly #identity: ObjectIdentity
  #singletons: Promise<SingletonServices> | undefined
  #hubStore: SqlHubStore | undefined
  #coordinator: TopicCoordinator | undefined

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env)
    this.#identity = new ObjectIdentity(ctx)
    // Keepalives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
  }

  override async fetch(request: Request): Promise<Response> {
    const upgrade = readForwardedUpgrade(request)
    if (!upgrade || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json({ error: { code: 'BAD_REQUEST', message: 'ChannelObject only accepts WebSocket upgrades forwarded by channels()' } }, { status: 400 })
    }
    this.#identity.remember({ instance: instanceName(upgrade.channel, upgrade.path), binding: upgrade.binding })
    let runtime: ChannelRuntime | undefined
    try {
      runtime = await this.#runtime(upgrade.channel)
    } catch (error) {
      log.error('channel.services_failed', { error })
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
    // Counting sockets scans them all; only pay for it when a limit below the platform's is set.
    if (limits.maxConnections < PLATFORM_MAX_CONNECTIONS && this.ctx.getWebSockets().length >= limits.maxConnections) {
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
      log.error('channel.upgrade_failed', { channel: upgrade.channel, error })
      return Response.json({ error: INTERNAL_ERROR }, { status: 500 })
    }
    // The channel id tag finds this socket again after a wake, for EventHub deliveries.
    this.ctx.acceptWebSocket(server, [record.channelId])
    const conn = new Connection(record, socket)
    this.#connections.set(server, conn)
    await runtime.connect(conn)
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The hot path: a connection and runtime already known since the last wake.
    const conn = this.#connections.get(ws)
    const runtime = conn && this.#runtimes.get(conn.record.channel)
    if (runtime) return runtime.message(conn, message)
    return this.#messageAfterWake(ws, message)
  }

  async #messageAfterWake(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    let found
    try {
      found = await this.#find(ws)
    } catch (error) {
      // Only building the app's services can fail here; the runtime itself never throws.
      log.error('channel.services_failed', { error })
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

  // RPC: publishing from outside (a Worker, a cron or queue handler, another object).

  /** Publishes to this instance's subscribers (or, for a global topic, to every instance's). */
  async publish(channel: string, topic: string, data: unknown, address?: InstanceAddress): Promise<PublishResult> {
    if (address) this.#identity.remember(address)
    return (await this.#requireRuntime(channel)).hub.publish(topic, data)
  }

  /** A coordinator forwards a global publish here: deliver it to this instance's subscribers. */
  async deliverGlobal(channel: string, topic: string, data: unknown): Promise<PublishResult> {
    return (await this.#requireRuntime(channel)).hub.publishHere(topic, data)
  }

  // RPC: the coordinator role, on the object named by coordinatorName().

  async topicRegister(instance: string, binding: string): Promise<void> {
    this.#topicCoordinator().register(instance, binding)
  }

  async topicUnregister(instance: string): Promise<void> {
    this.#topicCoordinator().unregister(instance)
  }

  /** Forwards to every registered instance; returns once all are on their way (it does not wait for slow ones). */
  async topicPublish(channel: string, topic: string, data: unknown): Promise<{ instances: number }> {
    const { instances, done } = this.#topicCoordinator().forward(channel, topic, data)
    this.ctx.waitUntil(done)
    return { instances }
  }

  /** The instances registered for this coordinator's topic. */
  async topicInstances(): Promise<string[]> {
    return this.#topicCoordinator().instances()
  }

  /** The connection and runtime for a socket, rebuilt from its attachment after a wake. */
  async #find(ws: WebSocket): Promise<{ conn: Connection; runtime: ChannelRuntime } | undefined> {
    const conn = this.#connectionOf(ws)
    if (!conn) {
      ws.close(CloseCode.INTERNAL, 'Unknown connection')
      return undefined
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

  #connectionOf(ws: WebSocket): Connection | undefined {
    let conn = this.#connections.get(ws)
    if (!conn) {
      const record = HibernatableSocket.read(ws)
      if (!record) return undefined
      conn = new Connection(record, new HibernatableSocket(ws))
      this.#connections.set(ws, conn)
    }
    return conn
  }

  async #requireRuntime(channel: string): Promise<ChannelRuntime> {
    const runtime = await this.#runtime(channel)
    if (!runtime) throw new Error(`No channel named "${channel}" is wired`)
    return runtime
  }

  async #runtime(name: string): Promise<ChannelRuntime | undefined> {
    const existing = this.#runtimes.get(name)
    if (existing) return existing
    const channel = registry.channels.get(name)
    if (!channel) return undefined
    const singletons = await this.#services()
    let runtime = this.#runtimes.get(name)
    if (!runtime) {
      this.#hubStore ??= new SqlHubStore(this.ctx.storage.sql)
      runtime = new ChannelRuntime(channel, singletons, {
        hubStore: this.#hubStore,
        // A tag lookup, not a scan: each socket is tagged with its channel id.
        lookup: (channelId) => {
          const [ws] = this.ctx.getWebSockets(channelId)
          return ws ? this.#connectionOf(ws) : undefined
        },
        global: this.#bridge(name),
      })
      this.#runtimes.set(name, runtime)
    }
    return runtime
  }

  /** How this instance takes part in global topics: through each topic's coordinator object. */
  #bridge(channel: string): GlobalBridge {
    const coordinator = (key: string) => {
      const { binding } = this.#identity.address()
      const namespace = this.env[binding] as DurableObjectNamespace<ChannelObject> | undefined
      if (!namespace) throw new Error(`global topics: no Durable Object binding "${binding}"`)
      return namespace.getByName(coordinatorName(channel, key))
    }
    return {
      register: async (key) => {
        const { instance, binding } = this.#identity.address()
        await coordinator(key).topicRegister(instance, binding)
      },
      unregister: async (key) => {
        await coordinator(key).topicUnregister(this.#identity.address().instance)
      },
      publish: async (key, topic, data) => {
        await coordinator(key).topicPublish(channel, topic, data)
      },
    }
  }

  #topicCoordinator(): TopicCoordinator {
    return (this.#coordinator ??= new TopicCoordinator(this.ctx.storage.sql, this.env))
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
