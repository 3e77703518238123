import { WiringError } from '../errors'
import { checkLimits, subscriptionCapsOf } from '../limits'
import { livenessOf } from '../liveness'
import { checkTopics } from '../event-hub/topics'
import { presenceOptionsOf } from '../presence/options'
import { shardsOf } from '../shards/options'
import { wireProtocolOf } from '../protocol/wires'
import type { Permissions, PikkuChannelMiddleware, PikkuFunction, PikkuMiddleware } from '../types'
import type { ChannelConfig, ChannelDefinition, InlineHandler, ResolvedHandler } from './channel-definition'
import { assertPermissions, checkReplay, checkSchema, describe, functionList, isPlainObject, optionalBoolean, stringList } from './checks'
import { isPikkuFunction, pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc } from './function'
import { compileRoute } from './route'

/** Fields with a meaning of their own in a frame, which cannot name actions. */
const RESERVED_ROUTING_KEYS = new Set(['id', 'data', 'type'])

/**
 * Checks a channel config and normalizes it into a definition: both
 * `onMessageWiring` shapes, auth precedence and middleware order settled
 * once. `wireChannel` is this plus registering; tools and tests call it directly.
 */
export function defineChannel(config: ChannelConfig<string, string, unknown, unknown, unknown>): ChannelDefinition {
  if (typeof config !== 'object' || config === null) throw new WiringError('wireChannel expects a config object')
  const { name } = config
  if (typeof name !== 'string' || name.length === 0) throw new WiringError('wireChannel: "name" must be a non-empty string')
  const where = `channel "${name}"`
  const route = routeOf(config.route, name, where)
  const channelAuth = optionalBoolean(config.auth, `${where}: auth`) ?? true
  const limits = checkLimits({ maxMessageSize: config.maxMessageSize, rateLimit: config.rateLimit, maxConnections: config.maxConnections }, where)
  if (config.authenticate !== undefined && typeof config.authenticate !== 'function') throw new WiringError(`${where}: authenticate must be a function (request, context) => session`)
  checkSchema(config.openingData, `${where}: openingData`)

  const middleware = functionList<PikkuMiddleware>(config.middleware, `${where}: middleware`)
  const { routingKey, table } = splitWiring(config.onMessageWiring, where)
  const actions = new Map<string, ResolvedHandler>()
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
    openingData: config.openingData as ChannelDefinition['openingData'],
    routingKey,
    auth: channelAuth,
    actions,
    onConnect: slot('onConnect', false, (func) => pikkuChannelConnectionFunc({ func })),
    onDisconnect: slot('onDisconnect', false, (func) => pikkuChannelDisconnectionFunc({ func: func as never })),
    onMessage: slot('onMessage', channelAuth, (func) => pikkuChannelFunc({ func })),
    onBinaryMessage: slot('onBinaryMessage', channelAuth, (func) => pikkuChannelFunc({ func })),
    authenticate: config.authenticate,
    middleware,
    channelMiddleware: functionList<PikkuChannelMiddleware>(config.channelMiddleware, `${where}: channelMiddleware`),
    tags: stringList(config.tags, `${where}: tags`),
    limits,
    subscriptionCaps: subscriptionCapsOf(config, where),
    liveness: livenessOf(config.liveness, where),
    topics: checkTopics(config.topics, where),
    replay: checkReplay(config.replay, where),
    presence: presenceOptionsOf(config.presence, where),
    protocol: wireProtocolOf(config.protocol, where),
    shards: shardsOf(config.shards, where),
  })
}

/** The channel's route: as wired, or `/<name>` for a channel wired without one (seed 001 wires channels that way). */
function routeOf(route: unknown, name: string, where: string) {
  if (route !== undefined) return compileRoute(route)
  try {
    return compileRoute(`/${name}`)
  } catch {
    throw new WiringError(`${where} has no route, so it would be served at "/${name}", which is not a path; give it a route`)
  }
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
  channel: { auth: boolean; middleware: PikkuMiddleware[] },
  where: string,
  wrapInline: (f: InlineHandler) => PikkuFunction,
): ResolvedHandler {
  const withOptions = isPlainObject(entry) && !isPikkuFunction(entry) ? entry : { func: entry }
  const raw = withOptions.func
  const func = isPikkuFunction(raw) ? raw : typeof raw === 'function' ? wrapInline(raw as InlineHandler) : undefined
  if (!func) throw new WiringError(`${where} must be a function made with pikkuFunc, pikkuSessionlessFunc or a pikkuChannel*Func (or { func, auth?, permissions? }), got ${describe(raw)}`)
  const auth = optionalBoolean(withOptions.auth, `${where}.auth`) ?? func.auth ?? (func.kind === 'func' ? true : channel.auth)
  const permissions = withOptions.permissions ?? func.permissions
  if (permissions !== undefined) assertPermissions(permissions, `${where}.permissions`)
  const keepResult = optionalBoolean(withOptions.keepResult, `${where}.keepResult`)
  return {
    name,
    func,
    auth,
    ...(keepResult === false ? { keepResult } : {}),
    permissions: permissions as Permissions | undefined,
    middleware: [
      ...channel.middleware,
      ...functionList<PikkuMiddleware>(withOptions.middleware, `${where}.middleware`),
      ...functionList<PikkuMiddleware>(func.middleware, `${where} (function middleware)`),
    ],
  }
}

function isEntry(value: Record<string, unknown>): boolean {
  return isPikkuFunction(value) || Object.hasOwn(value, 'func')
}
