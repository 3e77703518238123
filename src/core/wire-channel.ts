import type { PikkuChannelMiddleware } from './channel-middleware'
import { WiringError } from './errors'
import { isPikkuFunction, pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc, type PikkuFunction } from './function'
import { checkLimits, type LimitOptions } from './limits'
import type { Middleware } from './middleware'
import type { Permissions } from './permission'
import { registry } from './registry'
import { compileRoute, type CompiledRoute, type RouteParams } from './route'
import type { Schema } from './schema'
import { checkTopics, type ReplayOptions, type TopicMap, type TopicTable } from './topics'
import type { AppSession } from './types'

/** A plain handler written inline in a wiring, as in `onConnect: async ({ channel }) => {}`. */
export type InlineHandler = (services: any, data: any, wire: any) => unknown

/** One routed action: a function, or a function with wiring-level overrides. */
export type ActionEntry =
  | PikkuFunction
  | InlineHandler
  | { func: PikkuFunction | InlineHandler; auth?: boolean; permissions?: Permissions; middleware?: Middleware[] }

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

export interface ChannelConfig<Name extends string, Route extends string, DataSchema, Wiring, Topics = TopicTable> {
  /** Unique channel name; the typed client refers to it. */
  name: Name
  /** Route that upgrades to this channel, e.g. `/chat/:room`. One object per filled-in route. */
  route: Route
  /** Validates (and may transform) path params + query into `openingData`; failures answer 400. */
  openingData?: DataSchema
  onConnect?: PikkuFunction | InlineHandler
  onDisconnect?: PikkuFunction | InlineHandler
  /** Messages that match no wired action (or have none). */
  onMessage?: PikkuFunction | InlineHandler
  onBinaryMessage?: PikkuFunction | InlineHandler
  onMessageWiring?: Wiring
  /**
   * EventHub topics this channel carries: `{ 'chat:message': { schema }, 'news:*': { global: true } }`.
   * Publishing to, or `$subscribe` to, anything else is refused.
   */
  topics?: Topics
  /** The replay log behind `$subscribe` with `since`. Default 1000 events, 10 minutes; `false` for none. */
  replay?: ReplayOptions | false
  /** Whether messages need a session by default. Default true. */
  auth?: boolean
  /**
   * Establishes a session from the upgrade request (a bearer token, a cookie,
   * `?token=`) before the socket is accepted. Throw `ChannelError('UNAUTHENTICATED')`
   * or `'FORBIDDEN'` to refuse with 401 or 403. Overrides `channels({ authenticate })`.
   */
  authenticate?: UpgradeAuthenticator
  /** Runs around every handler of this channel (connect, message, disconnect). */
  middleware?: Middleware[]
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

/** An action after wiring: its function and the rules that apply to it here. */
export interface ResolvedAction {
  readonly name: string
  readonly func: PikkuFunction
  readonly auth: boolean
  readonly permissions: Permissions | undefined
  readonly middleware: readonly Middleware[]
}

/** A checked, normalized channel, as the router and the object use it. */
export interface ChannelDefinition<Name extends string = string, Route extends string = string, Data = unknown, Wiring = unknown, Topics = TopicTable> {
  readonly name: Name
  readonly route: CompiledRoute
  readonly openingData: Schema | undefined
  readonly routingKey: string
  /** Whether messages need a session when nothing more specific says. */
  readonly auth: boolean
  readonly actions: ReadonlyMap<string, ResolvedAction>
  readonly onConnect: ResolvedAction | undefined
  readonly onDisconnect: ResolvedAction | undefined
  readonly onMessage: ResolvedAction | undefined
  readonly onBinaryMessage: ResolvedAction | undefined
  readonly authenticate: UpgradeAuthenticator | undefined
  readonly middleware: readonly Middleware[]
  readonly channelMiddleware: readonly PikkuChannelMiddleware[]
  readonly tags: readonly string[]
  /** Only what the wiring set; see `resolveLimits`. */
  readonly limits: LimitOptions
  readonly topics: TopicTable
  readonly replay: ReplayOptions | false | undefined
  /** Types only, for the typed client. */
  readonly '~types'?: { route: Route; openingData: Data; wiring: Wiring; topics: Topics }
}

const RESERVED_ROUTING_KEYS = new Set(['id', 'data', 'type'])

/**
 * Wires a channel: checks the config, normalizes both `onMessageWiring`
 * shapes, registers it for `channels()` and `ChannelObject`, and returns it
 * (its type feeds the typed client). Mistakes throw a `WiringError` now,
 * not at the first message.
 */
export function wireChannel<
  const Name extends string,
  const Route extends string,
  const Wiring extends MessageWiring = {},
  DataSchema extends Schema | undefined = undefined,
  const Topics extends TopicTable = {},
>(config: ChannelConfig<Name, Route, DataSchema, Wiring, Topics>): ChannelDefinition<Name, Route, OpeningDataOf<Route, DataSchema>, Wiring, Topics> {
  const channel = defineChannel(config)
  registry.addChannel(channel)
  return channel as ChannelDefinition<Name, Route, OpeningDataOf<Route, DataSchema>, Wiring, Topics>
}

/** {@link wireChannel} without registering; exported for tests and tools. */
export function defineChannel(config: ChannelConfig<string, string, unknown, unknown, unknown>): ChannelDefinition {
  if (typeof config !== 'object' || config === null) throw new WiringError('wireChannel expects a config object')
  const { name } = config
  if (typeof name !== 'string' || name.length === 0) throw new WiringError('wireChannel: "name" must be a non-empty string')
  const where = `channel "${name}"`
  const route = compileRoute(config.route)
  const channelAuth = optionalBoolean(config.auth, `${where}: auth`) ?? true
  const limits = checkLimits({ maxMessageSize: config.maxMessageSize, rateLimit: config.rateLimit, maxConnections: config.maxConnections }, where)
  if (config.authenticate !== undefined && typeof config.authenticate !== 'function') throw new WiringError(`${where}: authenticate must be a function (request, context) => session`)
  if (config.openingData !== undefined && !isSchema(config.openingData)) throw new WiringError(`${where}: openingData must be a valibot schema`)

  const middleware = middlewareList(config.middleware, `${where}: middleware`)
  const { routingKey, table } = splitWiring(config.onMessageWiring, where)
  const actions = new Map<string, ResolvedAction>()
  for (const actionName of Object.keys(table)) {
    if (actionName.startsWith('$')) throw new WiringError(`${where}: action "${actionName}" starts with "$", which is reserved for built-in actions`)
    if (actionName.length === 0) throw new WiringError(`${where}: an action name is empty`)
    actions.set(actionName, resolveEntry(table[actionName], actionName, { auth: channelAuth, middleware }, `${where}: onMessageWiring.${actionName}`, pikkuChannelFunc))
  }

  // The channel's `auth` default is for messages; connect and disconnect only check a function's own auth.
  const slot = (name: 'onConnect' | 'onDisconnect' | 'onMessage' | 'onBinaryMessage', auth: boolean, wrap: (f: InlineHandler) => PikkuFunction) => {
    const entry = config[name]
    return entry === undefined ? undefined : resolveEntry(entry, name, { auth, middleware }, `${where}: ${name}`, wrap)
  }

  return Object.freeze({
    name,
    route,
    openingData: config.openingData as Schema | undefined,
    routingKey,
    auth: channelAuth,
    actions,
    onConnect: slot('onConnect', false, (func) => pikkuChannelConnectionFunc({ func })),
    onDisconnect: slot('onDisconnect', false, (func) => pikkuChannelDisconnectionFunc({ func: func as never })),
    onMessage: slot('onMessage', channelAuth, (func) => pikkuChannelFunc({ func })),
    onBinaryMessage: slot('onBinaryMessage', channelAuth, (func) => pikkuChannelFunc({ func })),
    authenticate: config.authenticate,
    middleware,
    channelMiddleware: middlewareList<PikkuChannelMiddleware>(config.channelMiddleware, `${where}: channelMiddleware`),
    tags: stringList(config.tags, `${where}: tags`),
    limits,
    topics: checkTopics(config.topics, where),
    replay: checkReplay(config.replay, where),
  })
}

/** Tells the two `onMessageWiring` shapes apart. */
function splitWiring(wiring: unknown, where: string): { routingKey: string; table: Record<string, unknown> } {
  if (wiring === undefined) return { routingKey: 'action', table: {} }
  assertActionTable(wiring, where)
  const keys = Object.keys(wiring)
  const only = keys.length === 1 ? wiring[keys[0]!] : undefined
  if (only !== undefined && isPlainObject(only) && !isEntry(only)) {
    const routingKey = keys[0]!
    if (RESERVED_ROUTING_KEYS.has(routingKey)) throw new WiringError(`${where}: "${routingKey}" cannot be a routing key; it has a meaning of its own in the protocol`)
    assertActionTable(only, where)
    return { routingKey, table: only }
  }
  return { routingKey: 'action', table: wiring }
}

function assertActionTable(value: unknown, where: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw new WiringError(`${where}: onMessageWiring must be an object of actions`)
  // `{ __proto__: { func } }` in a literal sets the prototype instead of adding an action.
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw new WiringError(`${where}: onMessageWiring has a "__proto__" entry, which JavaScript treats as the prototype; choose another action name`)
}

/**
 * Settles the rules for one handler. Auth: the wiring's override, else the
 * function's own, else required for pikkuFunc, else the channel default.
 * Middleware: the channel's, then the wiring's, then the function's.
 */
function resolveEntry(
  entry: unknown,
  name: string,
  channel: { auth: boolean; middleware: Middleware[] },
  where: string,
  wrapInline: (f: InlineHandler) => PikkuFunction,
): ResolvedAction {
  const withOptions = isPlainObject(entry) && !isPikkuFunction(entry) ? entry : { func: entry }
  const raw = withOptions.func
  const func = isPikkuFunction(raw) ? raw : typeof raw === 'function' ? wrapInline(raw as InlineHandler) : undefined
  if (!func) throw new WiringError(`${where} must be a function made with pikkuFunc, pikkuSessionlessFunc or a pikkuChannel*Func (or { func, auth?, permissions? }), got ${describe(raw)}`)
  const auth = optionalBoolean(withOptions.auth, `${where}.auth`) ?? func.auth ?? (func.kind === 'func' ? true : channel.auth)
  const permissions = withOptions.permissions ?? func.permissions
  if (permissions !== undefined) assertPermissions(permissions, `${where}.permissions`)
  return {
    name,
    func,
    auth,
    permissions: permissions as Permissions | undefined,
    middleware: [...channel.middleware, ...middlewareList(withOptions.middleware, `${where}.middleware`), ...middlewareList(func.middleware, `${where} (function middleware)`)],
  }
}

function isEntry(value: Record<string, unknown>): boolean {
  return isPikkuFunction(value) || Object.hasOwn(value, 'func')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isSchema(value: unknown): boolean {
  return isPlainObject(value) && value.kind === 'schema' && typeof value['~run'] === 'function'
}

function optionalBoolean(value: unknown, where: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw new WiringError(`${where} must be true or false, got ${describe(value)}`)
}

function middlewareList<M = Middleware>(value: unknown, where: string): M[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'function')) throw new WiringError(`${where} must be an array of middleware functions`)
  return value as M[]
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw new WiringError(`${where} must be an array of strings`)
  return value
}

function assertPermissions(value: unknown, where: string): void {
  const ok = isPlainObject(value) && Object.values(value).every((p) => typeof p === 'function' || (Array.isArray(p) && p.every((q) => typeof q === 'function')))
  if (!ok) throw new WiringError(`${where} must be a record of pikkuPermission functions (or arrays of them)`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}

function checkReplay(value: unknown, where: string): ReplayOptions | false | undefined {
  if (value === undefined || value === false) return value
  const ok =
    isPlainObject(value) &&
    Object.entries(value).every(([key, n]) => (key === 'count' || key === 'maxAgeMs') && (n === undefined || (typeof n === 'number' && Number.isInteger(n) && n > 0)))
  if (!ok) throw new WiringError(`${where}: replay must be false or { count?, maxAgeMs? } with whole positive numbers`)
  return value as ReplayOptions
}
