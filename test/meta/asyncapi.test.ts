import Ajv from 'ajv'
import { join } from 'node:path'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineChannel } from '../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../src/core/wiring/function'
import { describeChannels, toAddress, toAsyncAPI } from '../../src/meta'
import { cleanup, generate, type Generated } from '../cli/support'
import { collectRefs, FIXTURES, resolvePointer } from './support'

// File level: the toAsyncAPI tests below generate too.
afterAll(cleanup)

const KEY = /^[A-Za-z0-9._-]+$/

/** The structural rules of AsyncAPI 3 this generator relies on, checked on any document. */
function expectWellFormed(doc: any): void {
  expect(doc.asyncapi).toBe('3.0.0')
  expect(typeof doc.info.title).toBe('string')
  expect(typeof doc.info.version).toBe('string')
  for (const map of [doc.channels, doc.operations, doc.components.messages, doc.components.schemas]) {
    for (const key of Object.keys(map)) expect(key).toMatch(KEY)
  }
  for (const [id, channel] of Object.entries<any>(doc.channels)) {
    const inAddress = [...channel.address.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
    expect(Object.keys(channel.parameters ?? {}).sort(), id).toStrictEqual(inAddress)
    for (const [key, message] of Object.entries<any>(channel.messages)) {
      expect(key).toMatch(KEY)
      expect(message.$ref).toMatch(/^#\/components\/messages\//)
    }
  }
  for (const operation of Object.values<any>(doc.operations)) {
    expect(['send', 'receive']).toContain(operation.action)
    expect(operation.channel.$ref).toMatch(/^#\/channels\/[^/]+$/)
    const channelPrefix = `${operation.channel.$ref}/messages/`
    for (const message of [...operation.messages, ...(operation.reply?.messages ?? [])]) expect(message.$ref.startsWith(channelPrefix)).toBe(true)
  }
  for (const message of Object.values<any>(doc.components.messages)) {
    expect(message.payload).toBeDefined()
    expect(['application/json', 'application/octet-stream']).toContain(message.contentType)
  }
  for (const schema of Object.values<any>(doc.components.schemas)) expect(schema).not.toHaveProperty('$schema')
  const refs = collectRefs(doc)
  expect(refs.length).toBeGreaterThan(0)
  for (const { ref, at } of refs) {
    expect(ref.startsWith('#/'), `${ref} at ${at}`).toBe(true)
    expect(resolvePointer(doc, ref), `${ref} at ${at}`).toBeDefined()
  }
}

/** A validator for one schema of the document's components, refs resolved within the document. */
function frameValidator(doc: any, schemaId: string) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  ajv.addSchema({ $id: 'asyncapi.json', components: doc.components }, 'asyncapi.json')
  return ajv.compile({ $ref: `asyncapi.json#/components/schemas/${schemaId}` })
}

describe('asyncapi.json of the reference app', () => {
  let generated: Generated
  let doc: any

  beforeAll(() => {
    generated = generate()
    doc = generated.asyncapi
  }, 60_000)

  it('is an AsyncAPI 3.0.0 document titled after the package', () => {
    expectWellFormed(doc)
    expect(doc.info).toMatchObject({ title: 'pikku-durable-channels', version: '0.1.0' })
    expect(doc.defaultContentType).toBe('application/json')
  })

  it('has the chat channel at /chat/{room}', () => {
    expect(doc.channels.chat).toMatchObject({ address: '/chat/{room}', parameters: { room: {} }, bindings: { ws: { method: 'GET', query: { properties: { name: { type: 'string' } } } } } })
    expect(doc.channels.chat.bindings.ws.query.properties).not.toHaveProperty('room')
  })

  it('has a send operation per action, replied to with its reply or error frame', () => {
    for (const action of generated.meta.channels[0].actions) {
      const operation = doc.operations[`chat.action.${action.name}`]
      expect(operation, action.name).toMatchObject({
        action: 'send',
        channel: { $ref: '#/channels/chat' },
        messages: [{ $ref: `#/channels/chat/messages/action.${action.name}.request` }],
        reply: { messages: [{ $ref: `#/channels/chat/messages/action.${action.name}.reply` }, { $ref: `#/channels/chat/messages/action.${action.name}.error` }] },
      })
    }
  })

  it('has receive operations for welcome, events per topic, messages and errors', () => {
    for (const id of ['chat.welcome', 'chat.event.chat_message', 'chat.event.chat_announcement', 'chat.message', 'chat.error', 'chat.binary.receive']) {
      expect(doc.operations[id]?.action, id).toBe('receive')
    }
    for (const id of ['chat.builtin.ping', 'chat.builtin.subscribe', 'chat.builtin.unsubscribe']) expect(doc.operations[id]?.action, id).toBe('send')
  })

  it('describes the frames precisely enough to validate them', () => {
    const request = frameValidator(doc, 'chat.action.send.request')
    expect(request({ action: 'send', id: '7', data: { text: 'hi' } })).toBe(true)
    expect(request({ action: 'send', data: { text: 42 } })).toBe(false)
    expect(request({ action: 'history', data: { text: 'hi' } })).toBe(false)
    const event = frameValidator(doc, 'chat.event.chat_message')
    expect(event({ type: 'event', topic: 'chat:message', data: { id: 1, author: 'ada', text: 'hi', at: 0 }, seq: 42 })).toBe(true)
    expect(event({ type: 'event', topic: 'chat:message', data: { id: 1 }, seq: 42 })).toBe(false)
    const error = frameValidator(doc, 'chat.action.send.error')
    expect(error({ type: 'error', action: 'send', id: '7', error: { code: 'INVALID_INPUT', message: 'x', issues: [{ message: 'x', path: ['text'] }] } })).toBe(true)
    expect(error({ type: 'error', action: 'send', error: { code: 'NOPE', message: 'x' } })).toBe(false)
    const welcome = frameValidator(doc, 'chat.welcome')
    expect(welcome({ type: 'welcome', channelId: 'abc', data: { room: 'general', name: 'ada' } })).toBe(true)
    const subscribe = frameValidator(doc, 'chat.builtin.subscribe.request')
    expect(subscribe({ action: '$subscribe', id: 1, topic: 'chat:message', since: 41 })).toBe(true)
    expect(subscribe({ action: '$subscribe' })).toBe(false)
  })
})

describe('toAsyncAPI', () => {
  it('stays well formed for unusual wirings (odd names, patterns, recursive schemas, fallbacks)', () => {
    const doc = generate(['--entry', join(FIXTURES, 'kitchen-sink.ts')]).asyncapi
    expectWellFormed(doc)
    expect(doc.channels.todos.address).toBe('/todos/{org}/{list}')
    // "todo/create" and "todo create" both sanitize to todo_create: each keeps its own operation.
    expect(doc.operations['todos.action.todo_create'].title).toBe('todo create')
    expect(doc.operations['todos.action.todo_create_2'].messages[0].$ref).toBe('#/channels/todos/messages/action.todo_create_2.request')
    // The channel routes on "kind".
    expect(doc.components.schemas['todos.action.archive.request']).toMatchObject({ properties: { kind: { const: 'archive' } }, required: ['kind'] })
    // A pattern topic matches by prefix.
    expect(doc.components.schemas['todos.event.typing_any']).toMatchObject({ properties: { topic: { type: 'string', pattern: '^typing:' } } })
    expect(doc.operations['todos.onMessage'].action).toBe('send')
    expect(doc.operations['todos.binary.send'].action).toBe('send')
    // The recursive Tree schema's $defs are hoisted into components and still validate.
    const tree = frameValidator(doc, 'todos.action.todo_create_2.input')
    expect(tree({ name: 'a', children: [{ name: 'b', children: [] }] })).toBe(true)
    expect(tree({ name: 'a', children: [{ name: 'b', children: [{ name: 1, children: [] }] }] })).toBe(false)
  }, 60_000)

  it('takes title, version and description from its options', () => {
    const channel = defineChannel({ name: 'echo', route: '/', onMessageWiring: { echo: pikkuChannelFunc({ input: v.string(), func: async (_s, data) => data }) } })
    const doc = toAsyncAPI(describeChannels([channel]), { title: 'Echo', version: '2.0.0', description: 'Says it back.' }) as any
    expectWellFormed(doc)
    expect(doc.info).toMatchObject({ title: 'Echo', version: '2.0.0' })
    expect(doc.info.description.startsWith('Says it back.\n\n')).toBe(true)
    expect(doc.channels.echo.address).toBe('/')
    expect(doc.channels.echo).not.toHaveProperty('parameters')
    expect(toAsyncAPI(describeChannels([])).info).toMatchObject({ title: 'Channels', version: '0.0.0' })
  })

  it('puts a mount path in front of every address, and writes the servers it is given', () => {
    const echo = defineChannel({ name: 'echo', route: '/', onMessageWiring: { echo: pikkuChannelFunc({ input: v.string(), func: async (_s, data) => data }) } })
    const chat = defineChannel({ name: 'chat', route: '/chat/:room', onMessageWiring: {} })
    const servers = { prod: { host: 'chat.example.com', protocol: 'wss' as const }, dev: { host: '127.0.0.1:8787', protocol: 'ws' as const, description: 'wrangler dev' } }
    const doc = toAsyncAPI(describeChannels([echo, chat]), { base: '/ws', servers }) as any
    expectWellFormed(doc)
    expect(doc.channels.chat.address).toBe('/ws/chat/{room}')
    expect(doc.channels.echo.address).toBe('/ws')
    expect(doc.servers).toStrictEqual({ dev: { host: '127.0.0.1:8787', protocol: 'ws', description: 'wrangler dev' }, prod: { host: 'chat.example.com', protocol: 'wss' } })
    expect(Object.keys(doc.servers)).toStrictEqual(['dev', 'prod'])
    expect(toAsyncAPI(describeChannels([chat]), { servers: {} })).not.toHaveProperty('servers')
    for (const base of ['ws', '/ws/', '/ws/:room', '/a?b', '/{x}']) expect(() => toAsyncAPI(describeChannels([chat]), { base }), base).toThrow(TypeError)
  })

  it('offers $presence and the presence frame only on a channel with presence', () => {
    const lobby = defineChannel({ name: 'lobby', route: '/lobby/:room', auth: false, presence: { largeRoom: 50 } })
    const quiet = defineChannel({ name: 'quiet', route: '/quiet', auth: false })
    const doc = toAsyncAPI(describeChannels([lobby, quiet])) as any
    expectWellFormed(doc)
    expect(doc.operations['lobby.builtin.presence'].action).toBe('send')
    expect(doc.operations['lobby.presence'].action).toBe('receive')
    expect(doc.operations).not.toHaveProperty('quiet.builtin.presence')
    expect(doc.operations).not.toHaveProperty('quiet.presence')
    const frame = frameValidator(doc, 'lobby.presence')
    expect(frame({ type: 'presence', count: 2, joins: [{ id: 'ada', data: { name: 'Ada' }, connections: 1 }], leaves: ['bob'] })).toBe(true)
    expect(frame({ type: 'presence', count: 60, sampled: true })).toBe(true)
    expect(frame({ type: 'presence', joins: [] })).toBe(false)
    const request = frameValidator(doc, 'lobby.builtin.presence.request')
    expect(request({ action: '$presence', id: 1, watch: false })).toBe(true)
    expect(request({ action: '$presence', watch: 'yes' })).toBe(false)
    const reply = frameValidator(doc, 'lobby.builtin.presence.reply')
    expect(reply({ type: 'reply', action: '$presence', id: 1, data: { count: 1, members: [{ id: 'ada', data: 'ada', connections: 2 }] } })).toBe(true)
  })

  it('turns route parameters into address parameters', () => {
    expect(toAddress('/chat/:room')).toBe('/chat/{room}')
    expect(toAddress('/a/:b/c/:d_1')).toBe('/a/{b}/c/{d_1}')
    expect(toAddress('/')).toBe('/')
  })
})
