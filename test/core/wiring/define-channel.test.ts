import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { PLATFORM_MAX_MESSAGE_SIZE } from '../../../src/core/limits'
import { pikkuMiddleware } from '../../../src/core/runtime/middleware'
import type { ChannelConfig } from '../../../src/core/wiring/channel-definition'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc, pikkuFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'

type Config = Partial<ChannelConfig<string, string, unknown, unknown>>

const define = (config: Config) => defineChannel({ name: 'room', route: '/room/:id', ...config })

/** The WiringError `define(config)` throws. */
function rejection(config: Config): WiringError {
  try {
    define(config)
  } catch (error) {
    expect(error).toBeInstanceOf(WiringError)
    return error as WiringError
  }
  throw new Error('defineChannel did not throw')
}

const create = pikkuChannelFunc({ func: async () => 'created' })
const list = pikkuSessionlessFunc({ func: async () => [] })

describe('onMessageWiring', () => {
  it('routes the short form on "action"', () => {
    const channel = define({ onMessageWiring: { create: { func: create }, list } })
    expect(channel.routingKey).toBe('action')
    expect([...channel.actions.keys()]).toStrictEqual(['create', 'list'])
    expect(channel.actions.get('create')!.func).toBe(create)
    expect(channel.actions.get('list')!.func).toBe(list)
  })

  it('routes a one-action short form on "action"', () => {
    const channel = define({ onMessageWiring: { create: { func: create, auth: false } } })
    expect(channel.routingKey).toBe('action')
    expect([...channel.actions.keys()]).toStrictEqual(['create'])
  })

  it('accepts the explicit form with "action" spelled out', () => {
    const channel = define({ onMessageWiring: { action: { create: { func: create }, list } } })
    expect(channel.routingKey).toBe('action')
    expect([...channel.actions.keys()]).toStrictEqual(['create', 'list'])
  })

  it('routes the explicit form on another key', () => {
    const channel = define({ onMessageWiring: { kind: { create, list } } })
    expect(channel.routingKey).toBe('kind')
    expect([...channel.actions.keys()]).toStrictEqual(['create', 'list'])
  })

  it('has no actions and routes on "action" without a wiring', () => {
    const channel = define({})
    expect(channel.routingKey).toBe('action')
    expect(channel.actions.size).toBe(0)
  })

  it.each(['id', 'data', 'type'])('rejects "%s" as a routing key', (key) => {
    expect(rejection({ onMessageWiring: { [key]: { create } } }).message).toBe(
      `channel "room": "${key}" cannot be a routing key; it has a meaning of its own in the protocol`,
    )
  })

  it('rejects action names starting with "$"', () => {
    expect(rejection({ onMessageWiring: { $ping: create, list } }).message).toBe(
      'channel "room": action "$ping" starts with "$", which is reserved for built-in actions',
    )
  })

  it('rejects an empty action name', () => {
    expect(rejection({ onMessageWiring: { '': create, list } }).message).toBe('channel "room": an action name is empty')
  })

  it('rejects a "__proto__" action written as a literal key', () => {
    const wiring = { __proto__: { func: create } }
    expect(rejection({ onMessageWiring: wiring }).message).toContain('"__proto__" entry')
  })

  it('rejects a "__proto__" action inside the explicit form', () => {
    const wiring = { action: { __proto__: { func: create } } }
    expect(rejection({ onMessageWiring: wiring }).message).toContain('"__proto__" entry')
  })

  it('rejects a wiring that is not an object', () => {
    expect(rejection({ onMessageWiring: [create] }).message).toBe('channel "room": onMessageWiring must be an object of actions')
  })

  it.each([
    [{ create: 42 }, 'onMessageWiring.create', 'number'],
    [{ create: { func: 'create' } }, 'onMessageWiring.create', 'string'],
    [{ create: { func: { func: create } } }, 'onMessageWiring.create', 'an object'],
    [{ action: { create, list: null } }, 'onMessageWiring.list', 'null'],
  ])('rejects an entry that is not a function (%j)', (wiring, slot, got) => {
    const { message } = rejection({ onMessageWiring: wiring })
    expect(message).toMatch(new RegExp(`^channel "room": ${slot.replace('.', '\\.')} must be a function made with pikkuFunc`))
    expect(message).toMatch(new RegExp(`got ${got}$`))
  })

  it.each(['onConnect', 'onDisconnect', 'onMessage', 'onBinaryMessage'] as const)('rejects a %s that is not a function', (slot) => {
    expect(rejection({ [slot]: 'handler' }).message).toMatch(new RegExp(`^channel "room": ${slot} must be a function.*got string$`))
  })

  it('accepts plain async functions inline and gives them the right kind', () => {
    const channel = define({
      onConnect: async () => 'hi',
      onDisconnect: async () => {},
      onMessage: async () => 'fallback',
      onBinaryMessage: async () => {},
      onMessageWiring: { create: async () => 'created', list: { func: async () => [] } },
    })
    expect(channel.onConnect!.func.kind).toBe('connect')
    expect(channel.onDisconnect!.func.kind).toBe('disconnect')
    expect(channel.onMessage!.func.kind).toBe('channel')
    expect(channel.onBinaryMessage!.func.kind).toBe('channel')
    expect(channel.actions.get('create')!.func.kind).toBe('channel')
    expect(channel.actions.get('list')!.func.kind).toBe('channel')
  })
})

describe('auth', () => {
  const authOf = (entry: unknown, channelAuth?: boolean) => define({ auth: channelAuth, onMessageWiring: { only: entry, other: list } }).actions.get('only')!.auth

  it('defaults to the channel auth, which defaults to true', () => {
    expect(authOf(create)).toBe(true)
    expect(authOf(create, false)).toBe(false)
    expect(authOf(async () => 1, false)).toBe(false)
  })

  it('requires a session for pikkuFunc whatever the channel says', () => {
    expect(authOf(pikkuFunc({ func: async () => 1 }), false)).toBe(true)
  })

  it("prefers the function's own auth to the kind and the channel", () => {
    expect(authOf(pikkuFunc({ func: async () => 1, auth: false }), true)).toBe(false)
    expect(authOf(pikkuSessionlessFunc({ func: async () => 1, auth: true }), false)).toBe(true)
  })

  it('prefers the wiring override to everything', () => {
    expect(authOf({ func: pikkuFunc({ func: async () => 1, auth: true }), auth: false }, true)).toBe(false)
    expect(authOf({ func: pikkuSessionlessFunc({ func: async () => 1, auth: false }), auth: true }, false)).toBe(true)
  })

  it('does not apply the channel default to onConnect and onDisconnect', () => {
    const channel = define({
      auth: true,
      onConnect: pikkuChannelConnectionFunc({ func: async () => 'hi' }),
      onDisconnect: pikkuChannelDisconnectionFunc({ func: async () => {} }),
      onMessage: async () => {},
    })
    expect(channel.onConnect!.auth).toBe(false)
    expect(channel.onDisconnect!.auth).toBe(false)
    expect(channel.onMessage!.auth).toBe(true)
  })

  it("lets onConnect require a session through the function's own auth", () => {
    const channel = define({ auth: false, onConnect: pikkuChannelConnectionFunc({ func: async () => 'hi', auth: true }) })
    expect(channel.onConnect!.auth).toBe(true)
  })

  it('rejects an auth that is not a boolean', () => {
    expect(rejection({ auth: 'yes' as never }).message).toBe('channel "room": auth must be true or false, got string')
    expect(rejection({ onMessageWiring: { create: { func: create, auth: 1 as never }, list } }).message).toBe(
      'channel "room": onMessageWiring.create.auth must be true or false, got number',
    )
  })
})

describe('middleware', () => {
  const channelMiddleware = pikkuMiddleware(async (_services, _interaction, next) => next())
  const wiringMiddleware = pikkuMiddleware(async (_services, _interaction, next) => next())
  const functionMiddleware = pikkuMiddleware(async (_services, _interaction, next) => next())

  it('orders channel, then wiring entry, then function middleware', () => {
    const func = pikkuChannelFunc({ func: async () => 1, middleware: [functionMiddleware] })
    const channel = define({ middleware: [channelMiddleware], onMessageWiring: { create: { func, middleware: [wiringMiddleware] }, list } })
    const order = channel.actions.get('create')!.middleware
    expect(order).toHaveLength(3)
    expect(order[0]).toBe(channelMiddleware)
    expect(order[1]).toBe(wiringMiddleware)
    expect(order[2]).toBe(functionMiddleware)
    expect(channel.actions.get('list')!.middleware).toStrictEqual([channelMiddleware])
  })

  it('puts the channel middleware around the lifecycle handlers too', () => {
    const channel = define({ middleware: [channelMiddleware], onConnect: async () => {}, onDisconnect: async () => {} })
    expect(channel.onConnect!.middleware).toStrictEqual([channelMiddleware])
    expect(channel.onDisconnect!.middleware).toStrictEqual([channelMiddleware])
  })

  it('rejects middleware that is not an array of functions', () => {
    expect(rejection({ middleware: [42] as never }).message).toBe('channel "room": middleware must be an array of middleware functions')
  })
})

describe('channel options', () => {
  it('keeps only the limits the wiring set (the router and defaults fill the rest)', () => {
    expect(define({}).limits).toEqual({})
    expect(define({ maxMessageSize: 64, rateLimit: false, maxConnections: 3 }).limits).toEqual({ maxMessageSize: 64, rateLimit: false, maxConnections: 3 })
  })

  it('fills subscription caps with the defaults', () => {
    expect(define({}).subscriptionCaps).toEqual({ perConnection: 256, perInstance: 100_000 })
    expect(define({ maxSubscriptions: 5, maxInstanceSubscriptions: 50 }).subscriptionCaps).toEqual({ perConnection: 5, perInstance: 50 })
  })

  it('accepts maxMessageSize from 1 byte to the platform limit', () => {
    expect(define({ maxMessageSize: 1 }).limits.maxMessageSize).toBe(1)
    expect(define({ maxMessageSize: PLATFORM_MAX_MESSAGE_SIZE }).limits.maxMessageSize).toBe(32 * 1024 * 1024)
  })

  it.each([0, -1, 1.5, PLATFORM_MAX_MESSAGE_SIZE + 1, Number.NaN])('rejects maxMessageSize %d', (maxMessageSize) => {
    expect(rejection({ maxMessageSize }).message).toBe(`channel "room": maxMessageSize must be a whole number from 1 to ${PLATFORM_MAX_MESSAGE_SIZE}`)
  })

  it.each([
    [{ rateLimit: { perSecond: 0 } }, 'rateLimit.perSecond must be a positive number'],
    [{ rateLimit: { burst: -1 } }, 'rateLimit.burst must be a positive number'],
    [{ rateLimit: { closeAfter: 0.5 } }, 'rateLimit.closeAfter must be a whole number'],
    [{ rateLimit: true as never }, 'rateLimit must be false or { perSecond?, burst?, closeAfter? }'],
    [{ maxConnections: 0 }, 'maxConnections must be a whole number from 1 to 32768'],
    [{ maxSubscriptions: 0 }, 'maxSubscriptions must be a whole number of at least 1'],
    [{ maxInstanceSubscriptions: 2.5 }, 'maxInstanceSubscriptions must be a whole number of at least 1'],
    [{ authenticate: 'yes' as never }, 'authenticate must be a function'],
    [{ channelMiddleware: [1] as never }, 'channelMiddleware must be an array of middleware functions'],
  ])('rejects %o', (config, message) => {
    expect(rejection(config as Config).message).toContain(message)
  })

  it('accepts a valibot schema as openingData', () => {
    const schema = v.object({ id: v.string() })
    expect(define({ openingData: schema }).openingData).toBe(schema)
  })

  it('rejects openingData that is not a schema', () => {
    expect(rejection({ openingData: { id: 'string' } }).message).toBe(
      'channel "room": openingData must be a schema (valibot, or any Standard Schema validator such as zod or arktype), got an object',
    )
  })

  it('rejects a missing name and a bad route', () => {
    expect(rejection({ name: '' }).message).toBe('wireChannel: "name" must be a non-empty string')
    expect(rejection({ route: 'room' }).message).toContain('route "room" does not parse')
  })

  it('rejects tags that are not strings', () => {
    expect(define({ tags: ['chat'] }).tags).toStrictEqual(['chat'])
    expect(rejection({ tags: [1] as never }).message).toBe('channel "room": tags must be an array of strings')
  })

  it('returns a frozen definition', () => {
    expect(Object.isFrozen(define({}))).toBe(true)
  })
})

describe('a channel wired without a route (seed 001)', () => {
  it('is served at /<name>', () => {
    const todos = defineChannel({ name: 'todos', onMessageWiring: {} })
    expect(todos.route.pattern).toBe('/todos')
    expect(todos.route.params).toStrictEqual([])
  })

  it('says so when its name cannot be a path', () => {
    expect(() => defineChannel({ name: 'my todos' })).toThrow('channel "my todos" has no route, so it would be served at "/my todos", which is not a path; give it a route')
  })
})
