import { ChannelError, INTERNAL_ERROR } from '../errors'
import { EventHub } from '../event-hub/event-hub'
import type { Delivery } from '../event-hub/hub-store'
import { resolveLimits } from '../limits'
import { replayedEvent, type PreparedEvent } from '../event-hub/prepared-event'
import type { Logger } from '../logger'
import { mergePresence } from '../presence/merge'
import { PresenceRoom } from '../presence/room'
import type { PresenceReply } from '../protocol/frames'
import { ownerCallConnection, ownerCallServices } from '../shards/owner-call'
import { ReplayWindows } from '../shards/replay-windows'
import type { ShardCaller, ShardLink } from '../shards/shard-link'
import { BUILT_IN_ACTIONS, isBuiltInName } from '../protocol/actions'
import { CloseCode, closeCodeFor, isSendableCloseCode } from '../protocol/close'
import type { ErrorPayload, RequestId } from '../protocol/frames'
import { FrameError } from '../protocol/parse'
import type { WireFormat } from '../protocol/wire-format'
import { wireFormatFor } from '../protocol/wires'
import type { Interaction, PikkuFunction } from '../types'
import type { ChannelDefinition, ResolvedHandler } from '../wiring/channel-definition'
import { admit, refusalFrame } from './admission'
import { subscriptionActions, type BuiltInAction } from './built-in-actions'
import { callFunction } from './call'
import type { Connection } from './connection'
import { LedgerKeeping } from './connection-ledger'
import { KeptResults, type KeptOutcome } from './kept-results'
import { isSilent, silentReason } from '../liveness'
import { Outbound } from './outbound'
import { presenceAction } from './presence-action'
import { createRPC } from './rpc'
import type { RuntimeOptions, SingletonServices } from './runtime-options'
import { createScope, type ConnectionHost } from './scope'
import { SubscriptionCallbacks } from './subscription-callbacks'
import { unknownAction } from './unknown-action'

export type { RuntimeOptions, SingletonServices } from './runtime-options'

const DONE = Promise.resolve()

/**
 * Runs one channel's handlers for its connections: the pure core of the
 * product. It admits and parses frames, routes actions, authorizes,
 * validates, runs middleware and functions, and hands what goes back to the
 * outbound path; the transport (a Durable Object, or a fake in tests) only
 * moves frames.
 */
export class ChannelRuntime implements ConnectionHost {
  readonly hub: EventHub
  readonly functions: ReadonlyMap<string, PikkuFunction>
  readonly missingService: ((key: string) => Error) | undefined
  readonly callbacks = new SubscriptionCallbacks()
  readonly logger: Logger
  readonly #outbound: Outbound
  /** How this channel's frames are read and written: protocol v1 or Pikku wire mode, chosen once. */
  readonly #wire: WireFormat
  /** Connections seen since the last wake, by channel id; `findConnection` finds the others. */
  readonly #connections = new Map<string, Connection>()
  readonly #findConnection: ((channelId: string) => Connection | undefined) | undefined
  /** The ledger of open connections, for `reconcile` after a crash. */
  readonly #ledger: LedgerKeeping
  readonly #kept: KeptResults | undefined
  /** `$subscribe`, `$unsubscribe` and `$presence`. */
  readonly #builtIns: ReadonlyMap<string, BuiltInAction>
  /** Who is here, on a channel wired with `presence`. */
  readonly #presence: PresenceRoom | undefined
  /** On a channel wired with `shards`: the instance's other objects. */
  readonly #shards: ShardLink | undefined
  /** Live events held while a connection replays from the owner's log (shards other than the owner). */
  readonly #windows = new ReplayWindows<{ seq: number; topic: string; send: () => void }>()

  constructor(
    readonly channel: ChannelDefinition,
    readonly singletons: SingletonServices,
    options: RuntimeOptions,
  ) {
    this.logger = singletons.logger
    this.functions = options.functions
    this.missingService = options.missingService
    this.#findConnection = options.findConnection
    this.#shards = options.shards
    this.#ledger = new LedgerKeeping(options.ledger, channel.onDisconnect !== undefined)
    this.#kept = options.results && new KeptResults(options.results, { windowMs: options.retryWindowMs })
    this.#wire = wireFormatFor(channel.protocol, channel.routingKey, channel.actions)
    this.#outbound = new Outbound(options.channelMiddleware, this.callbacks, this.#wire, {
      servicesOf: (conn) => this.#scope(conn).services,
      report: (error, conn, where) => this.#toPayload(error, conn, where),
    })
    this.hub = new EventHub(channel.name, channel.topics, options.hubStore, (channelId, event, delivery) => this.#deliver(channelId, event, delivery), {
      replay: channel.replay,
      global: options.global,
      shards: options.shards,
      maxEventBytes: resolveLimits(channel.limits).maxMessageSize,
      subscriptionCaps: channel.subscriptionCaps,
      // A stored subscription outlives a crash; the ledger is how the next wake finds and releases it.
      onStored: (channelId) => {
        const conn = this.#openConnection(channelId)
        if (conn) this.#ledger.stored(conn)
      },
    })
    const builtIns = subscriptionActions({
      channel,
      hub: this.hub,
      replay: (channelId, logged) => this.#deliverNow(channelId, replayedEvent(logged), 'event'),
      // Only a shard that replays from the owner's log needs a window; elsewhere replay and subscribe are one step.
      holdLive: (channelId, subscription) => {
        if (this.#shards && this.#shards.index !== 0) this.#windows.open(channelId, subscription)
      },
      releaseLive: (channelId, through) => {
        for (const held of this.#windows.settle(channelId, through)) held.send()
      },
    })
    // Without a host's list (a host that never hibernates), the connections seen since the start are all there are.
    const list = options.listConnections ?? (() => this.#connections.values())
    this.#presence = channel.presence && new PresenceRoom(channel.name, channel.presence, list)
    const presence = presenceAction(channel, (channelId, watch) => this.#presenceReply(channelId, watch))
    this.#builtIns = new Map([...Object.entries(builtIns), ['$presence', presence]])
  }

  get channelName(): string {
    return this.channel.name
  }

  get routePattern(): string {
    return this.channel.route.pattern
  }

  /** Runs `onConnect` and opens the connection (v1: with `welcome`); closes it if `onConnect` fails. */
  async connect(conn: Connection): Promise<void> {
    this.#connections.set(conn.record.channelId, conn)
    const onConnect = this.channel.onConnect
    let result: unknown
    if (onConnect) {
      try {
        result = await this.#call(conn, onConnect, conn.record.openingData, 'connect')
      } catch (error) {
        const payload = this.#toPayload(error, conn, 'onConnect')
        // onConnect never completed, so there is nothing for onDisconnect to undo.
        if (conn.close(closeCodeFor(payload.code), payload.message)) await this.#release(conn)
        this.#ledger.forget(conn)
        return
      }
    }
    // What onConnect sent must be ready to follow the welcome.
    await conn.flushed()
    // Closed while onConnect ran (by the handler or the peer): it did connect, so it disconnects once.
    if (conn.state === 'closed') return this.#disconnect(conn)
    try {
      this.#ledger.welcoming(conn)
      if (this.channel.liveness) conn.record.seenAt = Date.now()
      const retryWindowMs = conn.record.resume !== undefined ? this.#kept?.windowMs : undefined
      // Joins just before the open state is saved, which saves its member with it.
      this.#presence?.join(conn)
      conn.open(this.#wire.opening(conn.record.channelId, result, retryWindowMs))
      this.#ledger.welcomed(conn)
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
    const liveness = this.channel.liveness
    if (liveness) {
      const now = Date.now()
      // Saved only now and then: the check allows for a save this stale.
      if (now - (conn.record.seenAt ?? 0) >= liveness.saveSeenEveryMs) {
        conn.record.seenAt = now
        conn.socket.save(conn.record)
      }
    }
    const refusal = admit(conn, message)
    if (refusal?.close !== undefined) return this.#shutdown(conn, refusal.close, refusal.reason)
    if (refusal) {
      conn.send(refusalFrame(message, refusal, this.#wire))
      return DONE
    }
    return typeof message === 'string' ? this.#text(conn, message) : this.#binary(conn, message)
  }

  /** The peer closed the connection, or it failed: `onDisconnect` runs if it has not yet. */
  async closed(conn: Connection): Promise<void> {
    const previous = conn.markClosed()
    if (!previous || this.#ledger.wasGone(conn.record.channelId)) return
    await this.#release(conn)
    if (previous === 'open') await this.#disconnect(conn)
  }

  /**
   * After a crash or a restart: connections the ledger holds whose sockets are
   * gone (`isLive` says which exist) disconnect now, once, as if they had
   * closed: their subscriptions go and `onDisconnect` runs, with nothing sent.
   * The host calls it once per wake, before anything else; later calls do nothing.
   */
  async reconcile(isLive: (channelId: string) => boolean): Promise<number> {
    const gone = this.#ledger.takeGone(this.channel.name, isLive)
    for (const conn of gone) {
      const previous = conn.markClosed()
      await this.#release(conn)
      // Died during its onConnect: it never connected, so there is no onDisconnect to run.
      if (previous === 'open') await this.#disconnect(conn)
      else this.#ledger.forget(conn)
    }
    if (gone.length > 0) this.logger.info('channel.reconciled', { channel: this.channel.name, disconnected: gone.length })
    return gone.length
  }

  /**
   * The liveness check (the host's alarm): each open connection silent past the
   * channel's limit, by its last message and its last keepalive the platform
   * answered (`autoResponseAt`), closes with 4408, releasing its subscriptions
   * and running `onDisconnect` once. Returns how many stay open.
   */
  async closeSilent(connections: Iterable<{ conn: Connection; autoResponseAt: number | undefined }>, now: number): Promise<number> {
    const liveness = this.channel.liveness
    let open = 0
    for (const { conn, autoResponseAt } of connections) {
      if (conn.state === 'closed') continue
      const lastSeen = Math.max(conn.record.seenAt ?? 0, autoResponseAt ?? 0)
      if (!liveness || !isSilent(lastSeen, now, liveness)) {
        open++
        continue
      }
      this.logger.info('channel.silent_closed', { channel: this.channel.name, channelId: conn.record.channelId, silentMs: now - lastSeen })
      await this.#shutdown(conn, CloseCode.SILENT, silentReason(liveness))
    }
    return open
  }

  /** A connection's session changed: the ledger keeps what `onDisconnect` will see, and presence who it is. */
  sessionChanged(conn: Connection): void {
    this.#presence?.rejoin(conn)
    this.#ledger.sessionChanged(conn)
  }

  /** `channel.setPresence`: what others see of this connection's member. */
  setPresence(conn: Connection, data: unknown): void {
    if (!this.#presence) throw new Error(`channel.setPresence: channel "${this.channel.name}" has no presence; wire it with presence: true`)
    this.#presence.update(conn, data)
  }

  /** This object's own members, as `$presence` answers (another shard of the instance asks, to merge). */
  presenceSnapshot(): PresenceReply | undefined {
    return this.#presence?.snapshot()
  }

  /** `rpc.invokeOnOwner` from a connection here: made on the owner when this is another shard of a sharded instance. */
  invokeOnOwner(conn: Connection, name: string, data: unknown): Promise<unknown> | undefined {
    if (!this.#shards || this.#shards.index === 0) return undefined
    const { channelId, openingData, session } = conn.record
    return this.#shards.invokeOnOwner(name, data, { channelId, openingData, session })
  }

  /**
   * The owner's side of `rpc.invokeOnOwner`: the function runs here, with
   * this object's services and the caller's session, opening data and
   * channel id. Its socket is on the other shard, so sending to it, changing
   * its session and subscribing it fail there; publishing works.
   */
  invokeAsOwner(name: string, data: unknown, caller: ShardCaller): Promise<unknown> {
    const conn = ownerCallConnection(this.channel.name, caller, resolveLimits(this.channel.limits))
    const base = createScope(this, conn)
    const services = ownerCallServices(base.services)
    const scope = { services, wire: base.wire }
    services.rpc = createRPC(this.functions, () => scope, (rpc) => ({ ...this.#interaction(conn, 'rpc'), action: rpc }))
    return services.rpc.invoke(name as never, data as never)
  }

  /** Members here now, or undefined for a channel without presence. */
  get presenceCount(): number | undefined {
    return this.#presence?.count
  }

  hasConnection(channelId: string): boolean {
    return this.#openConnection(channelId) !== undefined
  }

  /** Server-side close (`channel.close`): closes the socket and runs `onDisconnect` once. */
  close(conn: Connection, code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    if (!isSendableCloseCode(code)) throw new RangeError(`channel.close: code ${code} is not allowed; use 1000 or 3000-4999`)
    return this.#shutdown(conn, code, reason)
  }

  /** `channel.send`: JSON as a message (through channel middleware), or raw bytes. */
  send(conn: Connection, data: unknown, isBinary = false): void | Promise<void> {
    return this.#outbound.message(conn, data, isBinary)
  }

  /** An open connection of this instance, by channel id: seen since the last wake, or found by the host. */
  #openConnection(channelId: string): Connection | undefined {
    let conn = this.#connections.get(channelId)
    if (!conn) {
      conn = this.#findConnection?.(channelId)
      if (conn) this.#connections.set(channelId, conn)
    }
    return conn?.state === 'closed' ? undefined : conn
  }

  /** Nothing may be left in flight when a message's event ends: the object could hibernate under it. */
  async #drain(conn: Connection): Promise<void> {
    if (conn.queued) await conn.flushed()
    if (conn.disconnecting) await conn.disconnecting
  }

  async #shutdown(conn: Connection, code: number, reason: string): Promise<void> {
    const previous = conn.close(code, reason)
    if (!previous) return conn.disconnecting
    await this.#release(conn)
    // While onConnect runs, connect() sees the closed state and disconnects when it finishes.
    if (previous === 'open') await this.#disconnect(conn)
  }

  /** A closed connection leaves the index, and its subscriptions (and their callbacks) go. */
  async #release(conn: Connection): Promise<void> {
    this.#presence?.leave(conn)
    this.#windows.forget(conn.record.channelId)
    this.#connections.delete(conn.record.channelId)
    this.callbacks.release(conn.record.channelId)
    if (!this.#ledger.hasSubscriptions(conn)) return
    try {
      await this.hub.dropConnection(conn.record.channelId)
    } catch (error) {
      this.#toPayload(error, conn, 'dropping subscriptions')
    }
  }

  /** Sends an EventHub delivery the way the connection subscribed; false if the connection is gone. */
  #deliver(channelId: string, event: PreparedEvent, delivery: Delivery): boolean {
    // Only while a connection of a shard replays from the owner's log.
    if (this.#windows.size > 0) {
      const held = { seq: event.seq, topic: event.topic, send: () => void this.#deliverNow(channelId, event, delivery) }
      if (!this.#windows.admit(channelId, held)) return true
    }
    return this.#deliverNow(channelId, event, delivery)
  }

  #deliverNow(channelId: string, event: PreparedEvent, delivery: Delivery): boolean {
    const conn = this.#openConnection(channelId)
    if (!conn) return false
    this.#outbound.deliver(conn, event, delivery)
    return true
  }

  /** `$presence`: this object's room, merged with the other shards' on a sharded instance. */
  async #presenceReply(channelId: string, watch: boolean): Promise<PresenceReply> {
    const own = this.#presence!.watch(this.#openConnection(channelId)!, watch)
    if (!this.#shards) return own
    return mergePresence(own, await this.#shards.presenceOfOthers(), this.channel.presence!)
  }

  async #text(conn: Connection, text: string): Promise<void> {
    const channel = this.channel
    const wire = this.#wire
    let frame
    try {
      frame = wire.parse(text, channel.onMessage === undefined)
    } catch (error) {
      const { action, id } = error instanceof FrameError ? error : { action: undefined, id: undefined }
      conn.send(wire.error(action, id, (error as ChannelError).toPayload()))
      return
    }
    const { action, id, input } = frame
    if (action !== undefined && isBuiltInName(action)) {
      await this.#builtIn(conn, action, id, input)
      return this.#drain(conn)
    }
    const target = (action === undefined ? undefined : channel.actions.get(action)) ?? channel.onMessage
    if (!target) {
      conn.send(wire.error(action, id, unknownAction(action!, channel.actions)))
      return
    }
    // A request from a resumable connection may be a retry: what it got the first time, it gets again.
    const token = id !== undefined && this.#kept ? conn.record.resume : undefined
    let keep: ((outcome: KeptOutcome, keep?: boolean) => void) | undefined
    if (token !== undefined) {
      const kept = await this.#kept!.seen(token, id!)
      if (kept) return this.#answerKept(conn, action, id!, kept)
      keep = this.#kept!.begin(token, id!)
    }
    let result: unknown
    try {
      result = await this.#call(conn, target, input, 'message', action)
    } catch (error) {
      const payload = this.#toPayload(error, conn, action ?? 'onMessage')
      keep?.({ kind: 'error', error: payload })
      conn.send(wire.error(action, id, payload))
      return conn.queued || conn.disconnecting ? this.#drain(conn) : undefined
    }
    keep?.({ kind: 'reply', data: result }, target.keepResult)
    if (result !== undefined || wire.acknowledges(frame)) {
      const sending = this.#outbound.send(conn, { type: 'reply', action, id, data: result })
      if (sending) await sending
    }
    if (conn.queued || conn.disconnecting) await this.#drain(conn)
  }

  /** A retried request's answer, as the first one got it; nothing runs. */
  async #answerKept(conn: Connection, action: string | undefined, id: RequestId, kept: KeptOutcome): Promise<void> {
    if (kept.kind === 'reply') await this.#outbound.send(conn, { type: 'reply', action, id, data: kept.data })
    else if (kept.kind === 'error') conn.send(this.#wire.error(action, id, kept.error))
    else {
      const why = `${action ?? 'This request'} already ran for request id ${JSON.stringify(id)}; its answer was not kept (the action sets keepResult: false, or the answer was over 64 KiB), so it is not run again`
      conn.send(this.#wire.error(action, id, { code: 'RESULT_NOT_KEPT', message: why }))
    }
  }

  async #binary(conn: Connection, bytes: ArrayBuffer): Promise<void> {
    const target = this.channel.onBinaryMessage
    if (!target) {
      conn.send(this.#wire.error(undefined, undefined, { code: 'BINARY_NOT_SUPPORTED', message: `Channel "${this.channel.name}" does not accept binary frames` }))
      return
    }
    try {
      const result = await this.#call(conn, target, new Uint8Array(bytes), 'message')
      if (result !== undefined) await this.send(conn, result, result instanceof ArrayBuffer || ArrayBuffer.isView(result))
    } catch (error) {
      conn.send(this.#wire.error(undefined, undefined, this.#toPayload(error, conn, 'onBinaryMessage')))
    }
    return this.#drain(conn)
  }

  /** `$ping` is answered here; `$subscribe` and `$unsubscribe` run as functions, through the same pipeline as app actions. */
  async #builtIn(conn: Connection, action: string, id: RequestId | undefined, input: unknown): Promise<void> {
    if (action === '$ping') return conn.send(this.#wire.pong(id))
    const builtIn = this.#builtIns.get(action)
    if (!builtIn) return conn.send(this.#wire.error(action, id, unknownAction(action, BUILT_IN_ACTIONS, 'built-in action')))
    let result: unknown
    try {
      const { data, rules } = await builtIn.prepare(input, conn.record.channelId)
      result = await callFunction(builtIn.func, data, rules, this.#scope(conn), () => this.#interaction(conn, 'message', action))
    } catch (error) {
      return conn.send(this.#wire.error(action, id, this.#toPayload(error, conn, action)))
    }
    await this.#outbound.send(conn, { type: 'reply', action, id, data: result })
  }

  #call(conn: Connection, target: ResolvedHandler, data: unknown, kind: Interaction['kind'], action?: string): Promise<unknown> {
    return callFunction(target.func, data, target, this.#scope(conn), () => this.#interaction(conn, kind, action))
  }

  #interaction(conn: Connection, kind: Interaction['kind'], action?: string): Interaction {
    return { kind, channel: this.channel.name, route: this.channel.route.pattern, channelId: conn.record.channelId, action }
  }

  /** Runs `onDisconnect` once; the ledger forgets the connection only after it ran, so a crash meanwhile runs it on the next wake. */
  #disconnect(conn: Connection): Promise<void> {
    const onDisconnect = this.channel.onDisconnect
    const forget = () => this.#ledger.forget(conn)
    if (!onDisconnect) {
      forget()
      return DONE
    }
    conn.disconnecting = this.#call(conn, onDisconnect, conn.record.openingData, 'disconnect').then(forget, (error) => {
      this.#toPayload(error, conn, 'onDisconnect')
      forget()
    })
    return conn.disconnecting
  }

  #scope(conn: Connection): ReturnType<typeof createScope> {
    return (conn.scope ??= createScope(this, conn))
  }

  /** What the client may see of an error; anything unexpected is logged with its stack and hidden. */
  #toPayload(error: unknown, conn: Connection, where: string): ErrorPayload {
    if (error instanceof ChannelError) return error.toPayload()
    this.logger.error('channel.handler_failed', { channel: this.channel.name, channelId: conn.record.channelId, where, error })
    return INTERNAL_ERROR
  }
}
