import type { InputOf, OutputOf, PikkuFunction } from './function'
import type { Logger } from './logger'

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
  readonly state: ChannelState
}

/** Calls another function registered with `wireRPC`, applying its own auth and validation. */
export interface RPCInvoker {
  invoke<Name extends RPCName>(name: Name, data: RPCInput<Name>): Promise<RPCOutput<Name>>
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

/** A topic of the map, or a pattern such as `news:*`. */
export type TopicOrPattern<Topics> = (keyof Topics & string) | `${string}:*` | '*'

/**
 * `services.eventHub`: pub/sub within a channel instance (or across all of
 * them, for `global` topics). Subscriptions are stored, so they survive
 * hibernation; deliveries arrive as `event` frames.
 */
export interface EventHubService<Topics> {
  /**
   * Subscribes a connection of this channel instance (the caller's by default)
   * to a topic or pattern. A callback instead of a channel id is refused: it
   * could not outlive hibernation (deliveries go to the connection as frames).
   */
  subscribe(topic: TopicOrPattern<Topics>, channelId?: string): Promise<void>
  unsubscribe(topic: TopicOrPattern<Topics>, channelId?: string): Promise<void>
  /** Encodes once and delivers to every subscriber; bytes make a binary event. */
  publish<Topic extends keyof Topics & string>(topic: Topic, data: Topics[Topic] | Uint8Array, options?: { skipSender?: boolean }): Promise<{ seq?: number; delivered: number }>
}

/** What the runtime adds to the app's services for every call. */
export interface CoreServices {
  logger: Logger
  rpc: RPCInvoker
  userSession: UserSessionService
  eventHub: EventHubService<AppTopics>
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
