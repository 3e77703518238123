import type { Logger } from './logger'
import type { EventFrame, MessageFrame, ReplyFrame } from './protocol/frames'
import type { OutputSchema, Schema } from './schema'

// The vocabulary every other module shares: what handlers, middleware and
// permissions are and what they are given. Types only, so that concept files
// depend on this file and never on each other for their types.

/**
 * Augment this interface once in your app to type every handler without
 * repeating yourself:
 *
 * ```ts
 * declare module 'pikku-durable-channels' {
 *   interface Register {
 *     services: AppServices      // what pikkuServices(...) returns
 *     session: { userId: string }
 *     rpc: typeof rpc           // what wireRPC(...) returns
 *   }
 * }
 * ```
 */
export interface Register {}

/** The app's own singleton services, from `Register['services']`. */
export type AppServices = Register extends { services: infer S } ? S : {}

/** The session shape, from `Register['session']`. */
export type AppSession = Register extends { session: infer S } ? S : Record<string, unknown>

/** Lifecycle of one connection as handlers see it. */
export type ChannelState = 'initial' | 'open' | 'closed'

/**
 * `services.channel`: the connection the handler runs for. `send` takes any
 * JSON value rather than the function's output type, so that a handler's
 * return type can be inferred (a parameter typed by the output would pin it).
 */
export interface ChannelHandle<ChannelData = unknown> {
  /** Unique id of this connection. */
  readonly channelId: string
  /** Path parameters and query the connection opened with, after validation. */
  readonly openingData: ChannelData
  /**
   * Sends `{"type":"message","data":...}`, or a binary frame when `isBinary`
   * (bytes as given; a string is sent as its UTF-8 bytes).
   */
  send(data: unknown, isBinary?: boolean): void | Promise<void>
  /** Closes the connection; `onDisconnect` runs once, right away. */
  close(code?: number, reason?: string): void
  /**
   * On a channel with `presence`: what others see of this connection's member
   * from now on (JSON, at most 1 KiB; `undefined` restores the default). Kept in
   * the connection's attachment; watchers are sent an update. Throws on a
   * channel without presence.
   */
  setPresence(data: unknown): void
  readonly state: ChannelState
}

/** Calls another function registered with `wireRPC`, applying its own auth and validation. */
export interface RPCInvoker {
  invoke<Name extends RPCName>(name: Name, data: RPCInput<Name>): Promise<RPCOutput<Name>>
  /**
   * The same, run on the instance's owner shard with the owner's services (its
   * storage): on a channel wired with `shards`, what touches the instance's own
   * storage goes through here. On any other channel, and on the owner, `invoke`.
   */
  invokeOnOwner<Name extends RPCName>(name: Name, data: RPCInput<Name>): Promise<RPCOutput<Name>>
}

type RPCMap = Register extends { rpc: infer M } ? M : Record<string, PikkuFunction<unknown, unknown>>
type RPCName = Extract<keyof RPCMap, string>
type RPCInput<Name extends RPCName> = InputOf<RPCMap[Name]>
type RPCOutput<Name extends RPCName> = OutputOf<RPCMap[Name]>

/** The caller's session as a service, as in Pikku's audit middleware. */
export interface UserSessionService<Session = AppSession> {
  get(): Promise<Session | undefined>
  get<Key extends keyof Session>(key: Key): Promise<Session[Key] | undefined>
  set(session: Session): Promise<void>
  clear(): Promise<void>
}

/** Topic -> payload type, from `Register['topics']` (see `TopicsOf`). */
export type AppTopics = Register extends { topics: infer T } ? T : Record<string, unknown>

/** A topic of the map, or a pattern such as `news:*`; server code may use topics the channel does not declare. */
export type TopicOrPattern<Topics> = (keyof Topics & string) | `${string}:*` | '*' | (string & {})

/** The payload of a topic: its declared type, or anything for a topic the channel does not declare. */
export type PayloadOfTopic<Topics, Topic extends string> = Topic extends keyof Topics ? Topics[Topic] : unknown

/** What a publish did in this instance. */
export interface PublishResult {
  /** The event's sequence number in this instance (absent for global topics, numbered by each instance). */
  seq?: number
  /** Connections it was delivered to in this instance. */
  delivered: number
}

/**
 * `services.eventHub`: pub/sub within a channel instance (or across all of
 * them, for `global` topics), in the seeds' and Pikku's forms. Subscriptions
 * are stored, so they survive hibernation.
 */
export interface EventHubService<Topics> {
  /**
   * Subscribes a connection of this channel instance to a topic or pattern:
   * the caller's (`subscribe(topic)`), or the one named (`subscribe(topic, channelId)`),
   * delivered as `event` frames. With a callback (the seed's
   * `subscribe(topic, data => channel.send(data))`) the caller's connection is
   * subscribed and each delivery calls it while the object is awake; after a
   * wake, when the closure is gone, a delivery is sent as `channel.send(data)`.
   */
  subscribe<Topic extends TopicOrPattern<Topics>>(topic: Topic, target?: string | ((data: PayloadOfTopic<Topics, Topic>) => unknown)): Promise<void>
  /** Ends a subscription of the caller's connection (or the one named). */
  unsubscribe(topic: TopicOrPattern<Topics>, channelId?: string): Promise<void>
  /** Encodes once and delivers to every subscriber (but the sender, with `skipSender`); bytes make a binary event. */
  publish<Topic extends TopicOrPattern<Topics>>(topic: Topic, data: PayloadOfTopic<Topics, Topic> | Uint8Array, options?: { skipSender?: boolean }): Promise<PublishResult>
  /** Pikku's form: `channelId` is a connection not to deliver to (the sender), or null; `isBinary` sends `data` as bytes. */
  publish<Topic extends TopicOrPattern<Topics>>(topic: Topic, channelId: string | null, data: PayloadOfTopic<Topics, Topic> | Uint8Array, isBinary?: boolean): Promise<PublishResult>
}

/** What the runtime adds to the app's services for every call. */
export interface CoreServices {
  logger: Logger
  rpc: RPCInvoker
  userSession: UserSessionService
  eventHub: EventHubService<AppTopics>
  /** The same as `wire.setSession`, where seed 001's `authenticate` takes it from. */
  setSession(session: AppSession): void
  /** The same as `wire.clearSession`. */
  clearSession(): void
}

/** `services` for functions that may run outside a channel. */
export type Services = AppServices & CoreServices & { channel?: ChannelHandle }

/** `services` for the channel function kinds, where the channel is always there. */
export type ChannelServices<ChannelData = unknown> = AppServices & CoreServices & { channel: ChannelHandle<ChannelData> }

/** The third handler argument: who is calling, and the channel if any. */
export interface Wire<Session = AppSession | undefined> {
  /** The live session: what the last `setSession` stored, on this connection. */
  readonly session: Session
  /** Stores a session on this connection; it applies from the very next message and survives hibernation. */
  setSession(session: AppSession): void
  clearSession(): void
  readonly channel?: ChannelHandle
}

// ---------------------------------------------------------------- functions

/** Which constructor made a function; decides its defaults (pikkuFunc needs a session). */
export type FunctionKind = 'func' | 'sessionless' | 'connect' | 'disconnect' | 'channel'

/** Everything a function kind accepts besides `func`. */
export interface FunctionOptions<In, Out> {
  /** Whether a session is required. Default: true for `pikkuFunc`, the channel's `auth` otherwise. */
  auth?: boolean
  /** Any one key passing lets the call through; an array under a key needs all its entries. */
  permissions?: Permissions
  /** Runs around this function, inside the channel's middleware. */
  middleware?: PikkuMiddleware[]
  /** Validates and types the input (valibot). */
  input?: Schema<In>
  /**
   * Validates and types the result; a mismatch is a server bug and answers
   * `INTERNAL`. It must not transform: the handler returns what the client gets.
   */
  output?: OutputSchema<Out>
  title?: string
  tags?: string[]
}

/**
 * A function as the runtime stores it. `~in`/`~out` carry types only; `~wireIn`
 * is the input as a client sends it (before schema defaults and transforms).
 */
export interface PikkuFunction<In = any, Out = any, Kind extends FunctionKind = FunctionKind, WireIn = In> extends FunctionOptions<In, Out> {
  readonly kind: Kind
  readonly func: (services: any, data: In, wire: any) => Out | Promise<Out>
  readonly '~in'?: In
  readonly '~out'?: Out
  readonly '~wireIn'?: WireIn
}

export type InputOf<F> = F extends PikkuFunction<infer In, any, any, any> ? In : never
export type OutputOf<F> = F extends PikkuFunction<any, infer Out, any, any> ? Awaited<Out> : never
/** What a client sends: the input schema's input type (defaults still optional), or the input type. */
export type WireInputOf<F> = F extends PikkuFunction<any, any, any, infer WireIn> ? WireIn : never

// ---------------------------------------------------------------- middleware and permissions

/** What a middleware is wrapped around. */
export interface Interaction {
  /** `rpc` for a function invoked through `services.rpc`, whichever handler invoked it. */
  kind: 'connect' | 'message' | 'disconnect' | 'rpc'
  /** Channel name. */
  channel: string
  /** The channel's route pattern, e.g. `/chat/:room`. */
  route: string
  channelId: string
  /** The action, for messages routed by `onMessageWiring`; the function's name for `rpc`. */
  action?: string
}

/** Runs around a handler; call `next()` to continue, throw to stop with an error. */
export type PikkuMiddleware = (services: Services, interaction: Interaction, next: () => Promise<void>) => Promise<void>

/** Decides whether a call may run; `data` is the validated input. */
export type PikkuPermission<In = any> = (services: Services, data: In, wire: Wire) => boolean | Promise<boolean>

/** Any one key passing lets the call through; an array under a key needs all of its entries. */
export type Permissions = Record<string, PikkuPermission | PikkuPermission[]>

/**
 * A frame on its way to one connection, before encoding: a `reply`, a
 * `message` (`channel.send`) or an `event` (EventHub delivery). Welcome,
 * error and pong frames are protocol bookkeeping and skip channel middleware;
 * so do binary frames.
 */
export type ChannelEvent = (ReplyFrame | MessageFrame | EventFrame) & {
  /** Payloads differ per action and topic; middleware reads and reshapes them freely. */
  data?: any
  /** Fields a middleware adds (`{ ...event, sentAt }`) travel in the frame. */
  [field: string]: unknown
}

/** Passes the event on (possibly changed), fans it out (`[a, b]`), or drops it (`null`). */
export type ChannelMiddlewareNext = (event: ChannelEvent | ChannelEvent[] | null) => Promise<void>

/** Runs on everything a connection is sent, in the connection's own services. */
export type PikkuChannelMiddleware = (services: ChannelServices, event: ChannelEvent, next: ChannelMiddlewareNext) => Promise<void>
