import { DurableObject } from 'cloudflare:workers'
import { INTERNAL_ERROR } from '../core/errors'
import type { PublishResult } from '../core/types'
import { PLATFORM_MAX_CONNECTIONS, resolveLimits } from '../core/limits'
import type { ReplayResult } from '../core/event-hub/replay-log'
import { ChannelError } from '../core/errors'
import { PING_FRAME, PONG_FRAME } from '../core/protocol/actions'
import type { PresenceReply } from '../core/protocol/frames'
import type { ShardCaller, ShardEvent } from '../core/shards/shard-link'
import { CloseCode, closeReplyFor, movingReason } from '../core/protocol/close'
import { encodeError } from '../core/protocol/encode'
import { wireFormatFor } from '../core/protocol/wires'
import { Connection, type ConnectionRecord } from '../core/runtime/connection'
import { ChannelRuntime } from '../core/runtime/runtime'
import { registry } from '../core/wiring/registry'
import { ObjectIdentity, STREAM_PREFIX, type InstanceAddress } from './addressing'
import { readForwardedUpgrade } from './forwarded-upgrade'
import { globalBridge, instanceDelivery, type GlobalTopicsRpc } from './global-topics/bridge'
import { TopicCoordinator } from './global-topics/coordinator'
import { handshakeError, handshakeErrorFor, openingDataOf } from './handshake'
import { HibernatableSocket } from './hibernatable-socket'
import { publishOutcome, type PublishOutcome } from './publisher'
import { createSingletonServices, type ObjectServices } from './services'
import { shellLog } from './shell-log'
import { SqlConnectionLedger } from './sql-connection-ledger'
import { LivenessAlarm, type HeldSocket } from './liveness-alarm'
import { SqlResultStore } from './sql-result-store'
import { Inbox } from './inbox'
import { WriteMeter } from './write-meter'
import { SqlHubStore } from './sql-hub-store'
import { shardLink, type InvokeOutcome, type ShardRpc } from './shards/link'
import { ShardTopicMembership, shardedBridge } from './shards/topic-membership'
import { StreamBroker, type StreamSpec, type StreamStatus } from './streams/broker'

/**
 * The Durable Object behind every channel instance (one per filled-in route,
 * e.g. `chat` at `/chat/general`). It accepts sockets with the hibernation
 * API and hands every event to the channel's runtime. Nothing it needs lives
 * only in memory: connections are rebuilt from socket attachments after a
 * wake, subscriptions from SQLite, and services are recreated on demand.
 * The same class also serves as the coordinator of a global topic, and as
 * the broker of a binary stream (on objects named `$stream:<id>`).
 *
 * Re-export it from your Worker and bind it as `CHANNELS`.
 */
export class ChannelObject extends DurableObject<Record<string, unknown>> implements GlobalTopicsRpc, ShardRpc {
  /** Connections by socket, for this wake only; the attachment is the source of truth. */
  readonly #connections = new WeakMap<WebSocket, Connection>()
  readonly #runtimes = new Map<string, ChannelRuntime>()
  /** On a sharded channel's owner: which shards hold subscribers under each global topic. */
  readonly #shardTopics = new Map<string, ShardTopicMembership>()
  readonly #identity: ObjectIdentity
  #singletons: Promise<ObjectServices> | undefined
  readonly #writes = new WriteMeter()
  readonly #inbox = new Inbox(() => this.#writes.takeWrote())
  #hubStore: SqlHubStore | undefined
  #ledger: SqlConnectionLedger | undefined
  #results: SqlResultStore | undefined
  readonly #liveness: LivenessAlarm
  #coordinator: TopicCoordinator | undefined
  /** Set on a stream's object; its sockets and alarm are the broker's. */
  readonly #broker: StreamBroker | undefined

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env)
    this.#identity = new ObjectIdentity(ctx)
    this.#liveness = new LivenessAlarm(ctx)
    // The name comes with every wake of an object reached by name, so the role is known before any event.
    if (ctx.id.name?.startsWith(STREAM_PREFIX)) {
      // No auto-response here: a writer's text message that happened to read {"action":"$ping"} would never reach the broker.
      this.#broker = new StreamBroker(ctx)
      return
    }
    // Keepalives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
  }

  override async fetch(request: Request): Promise<Response> {
    if (this.#broker) return this.#broker.fetch(request)
    const upgrade = readForwardedUpgrade(request)
    if (!upgrade || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return handshakeError('BAD_REQUEST', 'ChannelObject only accepts WebSocket upgrades forwarded by channels()')
    }
    this.#identity.remember(upgrade.binding)
    let runtime: ChannelRuntime | undefined
    let openingData: unknown
    try {
      runtime = await this.#runtime(upgrade.channel)
      if (!runtime) return handshakeError('NOT_FOUND', `No channel named "${upgrade.channel}" is wired`)
      openingData = await openingDataOf(runtime.channel, upgrade.openingInput)
    } catch (error) {
      return handshakeErrorFor(error, { event: 'channel.upgrade_failed', fields: { channel: upgrade.channel } })
    }

    const limits = resolveLimits(runtime.channel.limits, upgrade.limits)
    // Counting sockets scans them all; only pay for it when a limit below the platform's is set.
    if (limits.maxConnections < PLATFORM_MAX_CONNECTIONS && this.ctx.getWebSockets().length >= limits.maxConnections) {
      return handshakeError('CHANNEL_FULL', `This channel instance holds its maximum of ${limits.maxConnections} connections`)
    }

    const { 0: client, 1: server } = new WebSocketPair()
    const socket = new HibernatableSocket(server)
    const record: ConnectionRecord = { channelId: crypto.randomUUID(), channel: upgrade.channel, path: upgrade.path, openingData, state: 'initial', limits }
    if (upgrade.session !== undefined) record.session = upgrade.session
    if (upgrade.resume !== undefined) record.resume = upgrade.resume
    try {
      // Saved before accepting, so an oversized session is refused rather than half-connected.
      socket.save(record)
    } catch (error) {
      return handshakeErrorFor(error, { event: 'channel.upgrade_failed', fields: { channel: upgrade.channel } })
    }
    // The channel id tag finds this socket again after a wake, for EventHub deliveries.
    this.ctx.acceptWebSocket(server, [record.channelId])
    const conn = new Connection(record, socket)
    this.#connections.set(server, conn)
    await runtime.connect(conn)
    await this.#liveness.arm(runtime)
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.#broker) return Promise.resolve(this.#broker.message(ws, message))
    // While messages write, a burst of them runs in one turn and shares one storage commit (see Inbox).
    return this.#inbox.run(ws, () => {
      // The hot path: a connection and runtime already known since the last wake.
      const conn = this.#connections.get(ws)
      const runtime = conn && this.#runtimes.get(conn.record.channel)
      if (runtime) return runtime.message(conn, message)
      return this.#messageAfterWake(ws, message)
    })
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    if (this.#broker) return Promise.resolve(this.#broker.close(ws, code, reason))
    // Complete the closing handshake, unless there is nobody to answer (see closeReplyFor).
    const reply = closeReplyFor(code)
    if (reply !== undefined) {
      try {
        ws.close(reply, reason)
      } catch {
        // Already closed.
      }
    }
    // Behind the socket's messages still in the inbox, which it must not overtake.
    return this.#inbox.run(ws, async () => {
      const found = await this.#find(ws)
      if (found) await found.runtime.closed(found.conn)
    })
  }

  override webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    // A stream end that errored has dropped: it may reconnect, as after any drop.
    if (this.#broker) return Promise.resolve(this.#broker.close(ws, CloseCode.ABNORMAL, String(error)))
    return this.#inbox.run(ws, async () => {
      const found = await this.#find(ws)
      if (!found) return
      found.runtime.singletons.logger.warn('channel.socket_error', { channel: found.conn.record.channel, channelId: found.conn.record.channelId, error })
      await found.runtime.closed(found.conn)
    })
  }

  override async alarm(): Promise<void> {
    if (this.#broker) return this.#broker.alarm()
    await this.#liveness.run(await this.#heldSockets())
  }

  /** Every socket with its connection and runtime, rebuilt from attachments after a wake. */
  async #heldSockets(): Promise<HeldSocket[]> {
    const held: HeldSocket[] = []
    for (const ws of this.ctx.getWebSockets()) {
      const conn = this.#connectionOf(ws)
      const runtime = conn && (await this.#runtime(conn.record.channel))
      if (conn && runtime) held.push({ ws, conn, runtime })
    }
    return held
  }

  // RPC: the stream broker role, on the object named streamName(id).

  /** Makes the stream this object brokers (createStreamChannel calls it). */
  async streamCreate(spec: StreamSpec): Promise<void> {
    await this.#requireBroker().create(spec)
  }

  /** What the broker holds, by its own count; undefined when it holds no stream. */
  async streamStatus(): Promise<StreamStatus | undefined> {
    return this.#requireBroker().status()
  }

  // RPC: publishing from outside (a Worker, a cron or queue handler, another object).

  /** Publishes to this instance's subscribers (or, for a global topic, to every instance's); the caller's mistakes come back as `refused`. */
  async publish(channel: string, topic: string, data: unknown, address: InstanceAddress): Promise<PublishOutcome> {
    this.#identity.remember(address.binding)
    return publishOutcome(async () => (await this.#requireRuntime(channel)).hub.publish(topic, data))
  }

  /**
   * Asks every client of this instance to reconnect in `retryAfterMs` (planned
   * maintenance, moving a room): each socket closes with 4503 and the hint, its
   * `onDisconnect` runs, and the typed client comes back after the hint plus its spread.
   */
  async move(channel: string, retryAfterMs: number, why?: string): Promise<{ moved: number }> {
    const runtime = await this.#requireRuntime(channel)
    const reason = movingReason(retryAfterMs, why)
    let moved = 0
    for (const ws of this.ctx.getWebSockets()) {
      const conn = this.#connectionOf(ws)
      if (conn?.record.channel !== channel || conn.state === 'closed') continue
      await runtime.close(conn, CloseCode.MOVING, reason)
      moved++
    }
    return { moved }
  }

  /** A coordinator forwards a global publish here: deliver it to this instance's subscribers, skipping the sender. */
  async deliverLocal(channel: string, topic: string, data: unknown, skip?: string): Promise<PublishResult> {
    return (await this.#requireRuntime(channel)).hub.deliverToInstance(topic, data, { skip })
  }

  // RPC: between the shards of a channel wired with `shards` (cloudflare/shards/link.ts).

  /** The owner numbered an event: deliver it to this shard's subscribers. */
  async shardDeliver(channel: string, event: ShardEvent): Promise<number> {
    return (await this.#requireRuntime(channel)).hub.deliverNumbered(event)
  }

  /** Owner: another shard's publish, validated there, to number and send to every shard. */
  async shardPublish(channel: string, topic: string, data: unknown, skip?: string): Promise<PublishResult> {
    return (await this.#requireRuntime(channel)).hub.deliverToInstance(topic, data, { skip })
  }

  /** Owner: its replay log, for a `$subscribe` with `since` on another shard. */
  async shardReplay(channel: string, subscription: string, since: number): Promise<ReplayResult> {
    return (await this.#requireRuntime(channel)).hub.replay(subscription, since)
  }

  /** Owner: the instance's newest sequence number. */
  async shardHead(channel: string): Promise<number> {
    return (await this.#requireRuntime(channel)).hub.head()
  }

  /** This shard's own members, for a `$presence` on another shard to merge. */
  async shardPresence(channel: string): Promise<PresenceReply | undefined> {
    return (await this.#requireRuntime(channel)).presenceSnapshot()
  }

  /** Owner: `rpc.invokeOnOwner` from another shard, run with this object's services. */
  async shardInvoke(channel: string, name: string, data: unknown, caller: ShardCaller): Promise<InvokeOutcome> {
    const runtime = await this.#requireRuntime(channel)
    try {
      return { result: await runtime.invokeAsOwner(name, data, caller) }
    } catch (error) {
      if (error instanceof ChannelError) return { refused: error.toPayload() }
      runtime.logger.error('channel.handler_failed', { channel, channelId: caller.channelId, where: `rpc.invokeOnOwner("${name}") on the owner`, error })
      return { failed: (error as Error).message ?? String(error) }
    }
  }

  /** Owner: a shard gained its first subscriber under a global topic's declaration. */
  async shardTopicRegister(channel: string, key: string, shard: number): Promise<void> {
    await this.#requireRuntime(channel)
    await this.#shardTopics.get(channel)?.register(key, shard)
  }

  /** Owner: a shard lost its last subscriber under a global topic's declaration. */
  async shardTopicUnregister(channel: string, key: string, shard: number): Promise<void> {
    await this.#requireRuntime(channel)
    await this.#shardTopics.get(channel)?.unregister(key, shard)
  }

  // RPC: the coordinator role, on the object named by coordinatorName().

  /** An instance gained its first subscriber under this coordinator's topic (or another one, after it may have been dropped). */
  async topicRegister(instance: string, binding: string): Promise<void> {
    this.#topicCoordinator().register(instance, binding)
  }

  /** An instance lost its last subscriber under this coordinator's topic. */
  async topicUnregister(instance: string): Promise<void> {
    this.#topicCoordinator().unregister(instance)
  }

  /**
   * Forwards to every registered instance; returns once all are on their way (it does not wait for slow ones).
   * `from` is the publishing instance when it holds subscribers of the topic: registered again first if it was dropped.
   */
  async topicFanOut(channel: string, topic: string, data: unknown, skip?: string, from?: InstanceAddress): Promise<{ instances: number }> {
    const coordinator = this.#topicCoordinator()
    if (from) coordinator.ensureRegistered(from.instance, from.binding)
    const { instances, done } = coordinator.fanOut(channel, topic, data, skip)
    this.ctx.waitUntil(done)
    return { instances }
  }

  /** The instances registered for this coordinator's topic. */
  async topicInstances(): Promise<string[]> {
    return this.#topicCoordinator().instances()
  }

  async #messageAfterWake(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const conn = this.#connectionOf(ws)
    let found
    try {
      found = await this.#find(ws)
    } catch (error) {
      // Only building the app's services can fail here; the runtime itself never throws.
      shellLog.error('channel.services_failed', { error })
      // In the channel's own wire mode: a Pikku-mode client reads v1 frames no better than garbage.
      const channel = conn && registry.channels.get(conn.record.channel)
      conn?.send(channel ? wireFormatFor(channel.protocol, channel.routingKey, channel.actions).error(undefined, undefined, INTERNAL_ERROR) : encodeError(undefined, undefined, INTERNAL_ERROR))
      return
    }
    if (found) await found.runtime.message(found.conn, message)
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
      conn.close(CloseCode.CHANNEL_GONE, 'Channel no longer exists')
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

  *#allConnections(): Iterable<Connection> {
    for (const ws of this.ctx.getWebSockets()) {
      const conn = this.#connectionOf(ws)
      if (conn) yield conn
    }
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
    const { singletons, missingService } = await this.#services()
    let runtime = this.#runtimes.get(name)
    if (!runtime) {
      // Metered: the inbox batches messages while these stores write.
      const sql = this.#writes.sql(this.ctx.storage.sql)
      this.#hubStore ??= new SqlHubStore(sql)
      this.#ledger ??= new SqlConnectionLedger(sql)
      this.#results ??= new SqlResultStore(sql)
      const global = globalBridge(name, this.#identity, this.env)
      // One object per instance unless the channel is sharded; then this is one of its shards, known by its name.
      const shards = channel.shards > 1 ? shardLink(name, channel.shards, () => this.#identity.address(), this.env) : undefined
      if (shards?.index === 0) this.#shardTopics.set(name, new ShardTopicMembership(this.ctx.storage.sql, global))
      runtime = new ChannelRuntime(channel, singletons, {
        missingService,
        hubStore: this.#hubStore,
        ledger: this.#ledger,
        results: this.#results,
        channelMiddleware: registry.channelMiddlewareFor(channel),
        functions: registry.functions,
        // A tag lookup, not a scan: each socket is tagged with its channel id.
        findConnection: (channelId) => {
          const [ws] = this.ctx.getWebSockets(channelId)
          return ws ? this.#connectionOf(ws) : undefined
        },
        // Presence is built from every socket's attachment once per wake: what hibernation kept, not memory.
        listConnections: () => this.#allConnections(),
        global: shards ? shardedBridge(global, shards, () => this.#shardTopics.get(name)!) : global,
        shards,
      })
      this.#runtimes.set(name, runtime)
      // Once per wake, before the event that woke it: connections whose sockets did not survive (a crash, a restart) disconnect now.
      await runtime.reconcile((channelId) => this.ctx.getWebSockets(channelId).length > 0)
    }
    return runtime
  }

  #requireBroker(): StreamBroker {
    if (!this.#broker) throw new Error(`Only an object named ${STREAM_PREFIX}<id> brokers a stream`)
    return this.#broker
  }

  #topicCoordinator(): TopicCoordinator {
    return (this.#coordinator ??= new TopicCoordinator(this.ctx.storage.sql, instanceDelivery(this.env)))
  }

  #services(): Promise<ObjectServices> {
    this.#singletons ??= createSingletonServices({ env: this.env, storage: this.ctx.storage }).catch((error) => {
      // Let the next event try again rather than pinning a failure.
      this.#singletons = undefined
      throw error
    })
    return this.#singletons
  }
}
