import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/core/protocol/frames'
import { pikkuPermission } from '../../src/core/runtime/permission'
import { defineChannel } from '../../src/core/wiring/define-channel'
import { pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc, pikkuFunc, pikkuSessionlessFunc } from '../../src/core/wiring/function'
import { describeChannels, stableStringify, toJson } from '../../src/meta'

const isAdmin = pikkuPermission(async () => true)
const isWriter = pikkuPermission(async () => true)

const Message = v.object({ id: v.number(), text: v.string() })

const create = pikkuFunc({ title: 'Create a todo', tags: ['write'], input: v.object({ text: v.string() }), output: Message, permissions: { isAdmin, both: [isAdmin, isWriter] }, func: async () => ({ id: 1, text: 'x' }) })
const list = pikkuSessionlessFunc({ input: v.object({ limit: v.optional(v.number(), 10) }), func: async () => [] })
const archive = pikkuChannelFunc({ func: async () => 'ok' })

const todos = defineChannel({
  name: 'todos',
  route: '/todos/:org/:list',
  auth: false,
  openingData: v.object({ org: v.string(), list: v.string() }),
  onConnect: pikkuChannelConnectionFunc({ output: v.object({ hello: v.string() }), func: async () => ({ hello: 'you' }) }),
  onDisconnect: pikkuChannelDisconnectionFunc({ func: async () => {} }),
  onMessageWiring: {
    // Wired out of order on purpose.
    list: { func: list, auth: true },
    create,
    archive: { func: archive, permissions: { isWriter } },
  },
  topics: {
    'typing:*': { replay: false },
    staff: { auth: true, permissions: { isAdmin } },
    'chat:message': { schema: Message, global: true },
  },
  replay: { count: 10 },
  maxMessageSize: 2048,
  rateLimit: { perSecond: 5 },
  tags: ['b', 'a'],
})

const chat = defineChannel({ name: 'chat', route: '/chat/:room', authenticate: async () => undefined, replay: false, topics: { 'chat:*': {} } })

describe('describeChannels', () => {
  const meta = describeChannels([todos, chat])

  it('is versioned and lists channels by name, the built-in actions and the error codes', () => {
    expect(meta.version).toBe(1)
    expect(meta.protocol).toBe(1)
    expect(meta.channels.map((c) => c.name)).toStrictEqual(['chat', 'todos'])
    expect(meta.builtInActions.map((a) => a.name)).toStrictEqual(['$ping', '$subscribe', '$unsubscribe', '$presence'])
    expect(meta.builtInActions.map((a) => a.answer)).toStrictEqual(['pong', 'reply', 'reply', 'reply'])
    expect(meta.errorCodes).toStrictEqual([...ERROR_CODES])
  })

  it('describes presence with its defaults filled in, or false without it', () => {
    expect(meta.channels.find((c) => c.name === 'chat')!.presence).toBe(false)
    const lobby = defineChannel({ name: 'lobby', auth: false, presence: { largeRoom: 50, of: () => 1 } })
    expect(describeChannels([lobby]).channels[0]!.presence).toStrictEqual({ largeRoom: 50, sample: 20, auth: false, mapped: true })
    const plain = defineChannel({ name: 'plain', presence: true })
    expect(describeChannels([plain]).channels[0]!.presence).toStrictEqual({ largeRoom: 100, sample: 20, auth: true, mapped: false })
  })

  it('accepts a registry, its channels map, or a list, with the same result', () => {
    const channels = new Map([
      ['todos', todos],
      ['chat', chat],
    ])
    expect(describeChannels({ channels })).toStrictEqual(meta)
    expect(describeChannels(channels)).toStrictEqual(meta)
    expect(describeChannels([chat, todos])).toStrictEqual(meta)
  })

  it('describes a channel as wired', () => {
    const channel = meta.channels[1]!
    expect(channel).toMatchObject({
      name: 'todos',
      route: '/todos/:org/:list',
      params: ['org', 'list'],
      routingKey: 'action',
      auth: false,
      authenticate: false,
      tags: ['b', 'a'],
      limits: { maxMessageSize: 2048, rateLimit: { perSecond: 5 } },
      replay: { count: 10, maxAgeMs: 600_000 },
    })
    expect(Object.keys(channel.limits)).toStrictEqual(['maxMessageSize', 'rateLimit'])
    expect(channel.openingData).toMatchObject({ type: 'object', properties: { org: { type: 'string' }, list: { type: 'string' } }, required: ['org', 'list'] })
    const other = meta.channels[0]!
    expect(other).toMatchObject({ auth: true, authenticate: true, limits: {}, openingData: null, replay: false, actions: [] })
  })

  it('describes lifecycle handlers, with the welcome data schema', () => {
    const { handlers } = meta.channels[1]!
    expect(handlers.onConnect).toMatchObject({ kind: 'connect', auth: false, input: null, output: { type: 'object', properties: { hello: { type: 'string' } } } })
    expect(handlers.onDisconnect).toMatchObject({ kind: 'disconnect', output: null })
    expect(handlers.onMessage).toBeNull()
    expect(handlers.onBinaryMessage).toBeNull()
  })

  it('sorts actions by name and resolves their auth', () => {
    const actions = meta.channels[1]!.actions
    expect(actions.map((a) => a.name)).toStrictEqual(['archive', 'create', 'list'])
    const [archiveMeta, createMeta, listMeta] = actions
    // archive: a channel function on an `auth: false` channel; create: pikkuFunc needs a session;
    // list: sessionless, but the wiring asks for a session.
    expect(archiveMeta).toMatchObject({ kind: 'channel', auth: false, title: null, tags: [], input: null, output: null })
    expect(createMeta).toMatchObject({ kind: 'func', auth: true, title: 'Create a todo', tags: ['write'] })
    expect(listMeta).toMatchObject({ kind: 'sessionless', auth: true })
  })

  it('reports permission keys with the number of checks under each', () => {
    const [archiveMeta, createMeta, listMeta] = meta.channels[1]!.actions
    expect(archiveMeta!.permissions).toStrictEqual({ isWriter: 1 })
    expect(createMeta!.permissions).toStrictEqual({ both: 2, isAdmin: 1 })
    expect(listMeta!.permissions).toBeNull()
  })

  it('gives JSON Schemas for input and output', () => {
    const [, createMeta, listMeta] = meta.channels[1]!.actions
    expect(createMeta!.input).toMatchObject({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] })
    expect(createMeta!.output).toMatchObject({ type: 'object', properties: { id: { type: 'number' }, text: { type: 'string' } } })
    expect(listMeta!.input).toMatchObject({ type: 'object', properties: { limit: { type: 'number', default: 10 } }, required: [] })
  })

  it('sorts topics and resolves their rules', () => {
    const topics = meta.channels[1]!.topics
    expect(topics.map((t) => t.topic)).toStrictEqual(['chat:message', 'staff', 'typing:*'])
    expect(topics[0]).toMatchObject({ pattern: false, auth: false, permissions: null, replay: true, global: true, schema: { type: 'object' } })
    expect(topics[1]).toMatchObject({ pattern: false, auth: true, permissions: { isAdmin: 1 }, replay: true, global: false, schema: null })
    expect(topics[2]).toMatchObject({ pattern: true, auth: false, replay: false, global: false })
    // A channel without a replay log keeps no topic for replay; topic auth defaults to the channel's.
    expect(meta.channels[0]!.topics).toStrictEqual([{ topic: 'chat:*', pattern: true, auth: true, permissions: null, replay: false, global: false, schema: null }])
  })

  it('notes a routing key spelled out in the wiring', () => {
    const routed = defineChannel({ name: 'r', route: '/r', onMessageWiring: { kind: { go: archive } } })
    expect(describeChannels([routed]).channels[0]).toMatchObject({ routingKey: 'kind', actions: [{ name: 'go' }] })
  })

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(meta))).toStrictEqual(meta)
  })
})

describe('toJson', () => {
  it('does not throw on what JSON Schema cannot say', () => {
    const Tree: v.GenericSchema<{ name: string; children: unknown[] }> = v.object({ name: v.string(), children: v.array(v.lazy(() => Tree)) })
    const odd = v.object({
      when: v.date(),
      big: v.bigint(),
      custom: v.custom<string>(() => true),
      checked: v.pipe(v.string(), v.check(() => true), v.minLength(2)),
      counted: v.pipe(v.string(), v.transform((s) => s.length)),
      parsed: v.pipe(v.string(), v.transform(Number), v.number()),
      tree: Tree,
      later: v.optional(v.number(), () => Date.now()),
      fixed: v.optional(v.number(), () => 3),
    })
    const input = toJson(odd, 'input')
    expect(input.properties).toMatchObject({
      when: {},
      big: {},
      custom: {},
      checked: { type: 'string', minLength: 2 },
      counted: { type: 'string' },
      parsed: { type: 'string' },
      tree: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/0' } } } },
      later: { type: 'number' },
    })
    expect(input.$defs).toMatchObject({ 0: { type: 'object' } })
    // A default computed by a function would change from run to run: it is left out.
    expect(input.properties).not.toHaveProperty('later.default')
    expect(input.properties).not.toHaveProperty('fixed.default')
    // The output side of a transform followed by a schema is that schema.
    expect(toJson(odd, 'output').properties).toMatchObject({ parsed: { type: 'number' } })
    expect(toJson(v.objectAsync({ a: v.pipeAsync(v.string(), v.checkAsync(async () => true)) }), 'input')).toMatchObject({ properties: { a: { type: 'string' } } })
  })

  it('turns a converter crash into an empty schema that says why', () => {
    const needsInput = v.lazy((input: unknown) => ((input as { kind: string }).kind === 'a' ? v.string() : v.number()))
    const schema = toJson(needsInput, 'input')
    expect(schema.$comment).toMatch(/^Could not be converted from valibot: /)
    expect(Object.keys(schema).sort()).toStrictEqual(['$comment', '$schema'])
  })
})

describe('stableStringify', () => {
  it('sorts keys deeply, keeps array order, indents by two and ends with a newline', () => {
    const text = stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })
    expect(text).toBe('{\n  "a": {\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n')
  })

  it('gives the same bytes for the same wirings, however they were written', () => {
    const one = defineChannel({ name: 'x', route: '/x', topics: { b: {}, a: {} }, onMessageWiring: { b: archive, a: archive } })
    const two = defineChannel({ name: 'x', route: '/x', topics: { a: {}, b: {} }, onMessageWiring: { a: archive, b: archive } })
    expect(stableStringify(describeChannels([one]))).toBe(stableStringify(describeChannels([two])))
  })

  it('keeps a "__proto__" key as a key', () => {
    expect(stableStringify(JSON.parse('{"__proto__":{"a":1}}'))).toBe('{\n  "__proto__": {\n    "a": 1\n  }\n}\n')
  })
})

describe('the wire mode', () => {
  it('is in the metadata, and a Pikku-mode channel says so in AsyncAPI', async () => {
    const { toAsyncAPI } = await import('../../src/meta')
    const meta = describeChannels([defineChannel({ name: 'plain', route: '/plain' }), defineChannel({ name: 'legacy', route: '/legacy', protocol: 'pikku' })])
    expect(meta.channels.map((c) => [c.name, c.protocol])).toStrictEqual([
      ['legacy', 'pikku'],
      ['plain', 'v1'],
    ])
    const doc = toAsyncAPI(meta) as unknown as { channels: Record<string, { description: string }> }
    expect(Object.values(doc.channels).find((c) => c.description.includes('"legacy"'))!.description).toContain('Pikku wire mode')
    expect(Object.values(doc.channels).find((c) => c.description.includes('"plain"'))!.description).not.toContain('Pikku wire mode')
  })
})
