import type { LimitOptions, SubscriptionCaps } from '../limits'
import type { Liveness } from '../liveness'
import type { WireProtocol } from '../protocol/wire-format'
import type { Schema } from '../schema'
import type { ReplayOptions, TopicMap, TopicTable } from '../event-hub/topics'
import type { PresenceOptions, ResolvedPresence } from '../presence/options'
import type { AppSession, ChannelServices, Permissions, PikkuChannelMiddleware, PikkuFunction, PikkuMiddleware, Wire } from '../types'
import type { CompiledRoute, RouteParams } from './route'

/**
 * A plain handler written inline in a wiring, as in
 * `onConnect: async ({ eventHub, channel }) => {}`: it gets the channel's
 * services (typed, so `eventHub.subscribe(topic, data => ...)` types `data`).
 */
export type InlineHandler<OpeningData = unknown> = (services: ChannelServices<OpeningData>, data: any, wire: Wire) => unknown

/** One routed action: a function, or a function with wiring-level overrides. */
export type ActionEntry =
  | PikkuFunction
  | InlineHandler
  | {
      func: PikkuFunction | InlineHandler
      auth?: boolean
      permissions?: Permissions
      middleware?: PikkuMiddleware[]
      /**
       * Whether this action's answers are kept for a client's retry (PROTOCOL.md, "Retries").
       * Default true; `false` for answers too large or too short-lived to keep: a retry then
       * gets `RESULT_NOT_KEPT`, and the action still never runs twice.
       */
      keepResult?: boolean
    }

export type ActionTable = { readonly [action: string]: ActionEntry }

/**
 * `onMessageWiring` in either of the seeds' shapes: `{ create: {...} }`
 * (routed on `action`), or `{ action: { create: {...} } }` with the routing
 * key spelled out.
 */
export type MessageWiring = ActionTable | { readonly [routingKey: string]: ActionTable }

/** Default opening data: the route's parameters, plus query values (strings). */
export type DefaultOpeningData<Route extends string> = RouteParams<Route> & { readonly [query: string]: string | undefined }

/** Topic -> payload type of a wired channel: `interface Register { topics: TopicsOf<typeof chatChannel> }`. */
export type TopicsOf<Channel> = Channel extends ChannelDefinition<any, any, any, any, infer Topics> ? TopicMap<Topics> : never

export type OpeningDataOf<Route extends string, DataSchema> = DataSchema extends Schema<infer T> ? T : DefaultOpeningData<Route>

/** `wireChannel`'s `presence`: `true`, or options (`Data` is what `of` returns). */
export type PresenceConfig<Data = unknown, OpeningData = any> = boolean | PresenceOptions<Data, OpeningData>

export interface ChannelConfig<Name extends string, Route extends string, DataSchema, Wiring, Topics = TopicTable, PresenceData = unknown> {
  /** Unique channel name; the typed client refers to it. */
  name: Name
  /**
   * Route that upgrades to this channel, e.g. `/chat/:room`: one object per
   * filled-in route. Without one, the channel is served at `/<name>` (one instance).
   */
  route?: Route
  /** Validates (and may transform) path params + query into `openingData`; failures answer 400. */
  openingData?: DataSchema
  onConnect?: PikkuFunction | InlineHandler<OpeningDataOf<Route, DataSchema>>
  onDisconnect?: PikkuFunction | InlineHandler<OpeningDataOf<Route, DataSchema>>
  /** Messages that match no wired action (or have none). */
  onMessage?: PikkuFunction | InlineHandler<OpeningDataOf<Route, DataSchema>>
  onBinaryMessage?: PikkuFunction | InlineHandler<OpeningDataOf<Route, DataSchema>>
  onMessageWiring?: Wiring
  /**
   * EventHub topics this channel carries: `{ 'chat:message': { schema }, 'news:*': { global: true } }`.
   * Publishing to, or `$subscribe` to, anything else is refused.
   */
  topics?: Topics
  /** The replay log behind `$subscribe` with `since`. Default 1000 events, 10 minutes; `false` for none. */
  replay?: ReplayOptions | false
  /**
   * Who is here: `true`, or `{ of, largeRoom, sample, auth }`. Clients ask with
   * `$presence` and are sent joins, leaves and updates; handlers set their own
   * with `channel.setPresence(data)`. Kept in the sockets' attachments, with no
   * storage write per join or leave. See README, "Presence".
   */
  presence?: PresenceConfig<PresenceData, OpeningDataOf<Route, DataSchema>>
  /**
   * Objects one instance is spread over, for rooms past one object's sockets (a
   * live event's 100,000 viewers): connections are placed by a stable hash, every
   * publish reaches every shard once, in order, numbered by shard 0 (the owner).
   * 1 to `MAX_SHARDS` (64); default 1, one object. See README, "Rooms larger than one object".
   */
  shards?: number
  /** Whether messages need a session by default. Default true. */
  auth?: boolean
  /**
   * Establishes a session from the upgrade request (a bearer token, a cookie,
   * `?token=`) before the socket is accepted. Throw `ChannelError('UNAUTHENTICATED')`
   * or `'FORBIDDEN'` to refuse with 401 or 403. Overrides `channels({ authenticate })`.
   */
  authenticate?: UpgradeAuthenticator
  /** Runs around every handler of this channel (connect, message, disconnect). */
  middleware?: PikkuMiddleware[]
  /** Runs on every reply, message and event this channel's connections are sent. */
  channelMiddleware?: PikkuChannelMiddleware[]
  /** Channel middleware added with `addChannelMiddleware(tag, ...)` applies to channels with the tag. */
  tags?: string[]
  /** Largest frame accepted, in bytes; larger ones get `TOO_LARGE`. Default 1 MiB. */
  maxMessageSize?: number
  /** Per-connection message rate; `false` turns it off. Default 100/s, bursts of 200. */
  rateLimit?: LimitOptions['rateLimit']
  /** Connections one instance of this channel accepts. */
  maxConnections?: number
  /** Subscriptions one connection may hold (`$subscribe` and server-held); more get `LIMIT_REACHED`. Default 256. */
  maxSubscriptions?: number
  /** Subscriptions one instance stores for all its connections together. Default 100,000. */
  maxInstanceSubscriptions?: number
  /**
   * Closes sockets silent (no keepalive, no message) for longer than `timeoutMs` with 4408,
   * running `onDisconnect`, from an alarm set only while there are connections, every
   * `checkEveryMs` (a third of the timeout by default). Default `{ timeoutMs: 90_000 }`;
   * `false` for none. See PROTOCOL.md, "Liveness".
   */
  liveness?: false | { timeoutMs?: number; checkEveryMs?: number }
  /**
   * The wire mode: `'v1'` (the default; what our client speaks) or `'pikku'`, the
   * frames Pikku's own WebSocket client expects (flat results echoing the
   * routing key, raw event payloads, no request ids). See PROTOCOL.md.
   */
  protocol?: WireProtocol
}

/** What an upgrade authenticator learns besides the request. */
export interface UpgradeContext {
  channel: string
  /** Validated opening data. */
  openingData: unknown
  env: Record<string, unknown>
}

/** Returns the connection's first session, or undefined for none. */
export type UpgradeAuthenticator = (request: Request, context: UpgradeContext) => AppSession | undefined | Promise<AppSession | undefined>

/** A handler after wiring (an action, or onConnect/onDisconnect/onMessage): its function and the rules that apply to it here. */
export interface ResolvedHandler {
  readonly name: string
  readonly func: PikkuFunction
  readonly auth: boolean
  readonly permissions: Permissions | undefined
  readonly middleware: readonly PikkuMiddleware[]
  /** False when the wiring said `keepResult: false`; absent means kept. */
  readonly keepResult?: boolean
}

/** A checked, normalized channel, as the router and the object use it. */
export interface ChannelDefinition<Name extends string = string, Route extends string = string, Data = unknown, Wiring = unknown, Topics = TopicTable, PresenceData = unknown> {
  readonly name: Name
  readonly route: CompiledRoute
  readonly openingData: Schema | undefined
  readonly routingKey: string
  /** Whether messages need a session when nothing more specific says. */
  readonly auth: boolean
  readonly actions: ReadonlyMap<string, ResolvedHandler>
  readonly onConnect: ResolvedHandler | undefined
  readonly onDisconnect: ResolvedHandler | undefined
  readonly onMessage: ResolvedHandler | undefined
  readonly onBinaryMessage: ResolvedHandler | undefined
  readonly authenticate: UpgradeAuthenticator | undefined
  readonly middleware: readonly PikkuMiddleware[]
  /** The channel's own channel middleware; tagged middleware is added by whoever builds its runtime. */
  readonly channelMiddleware: readonly PikkuChannelMiddleware[]
  readonly tags: readonly string[]
  /** Only what the wiring set; see `resolveLimits`. */
  readonly limits: LimitOptions
  readonly subscriptionCaps: SubscriptionCaps
  /** Undefined when the channel turned it off. */
  readonly liveness: Liveness | undefined
  readonly topics: TopicTable
  readonly replay: ReplayOptions | false | undefined
  /** Its presence settings, or undefined for a channel without presence. */
  readonly presence: ResolvedPresence | undefined
  /** The wire mode its connections speak. */
  readonly protocol: WireProtocol
  /** Objects each instance is spread over (1: one object). */
  readonly shards: number
  /** Types only, for the typed client. */
  readonly '~types'?: { route: Route; openingData: Data; wiring: Wiring; topics: Topics; presenceData: PresenceData }
}

/** Any wired channel, whatever its type parameters. */
export type AnyChannel = ChannelDefinition<string, string, any, any, any, any>
