import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { pikkuChannelMiddleware } from '../../../src/core/runtime/channel-middleware'
import { Connection } from '../../../src/core/runtime/connection'
import { pikkuMiddleware } from '../../../src/core/runtime/middleware'
import { pikkuPermission } from '../../../src/core/runtime/permission'
import type { ChannelEvent, ChannelServices } from '../../../src/core/types'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { connectionRecord, FakeSocket, openChannel, type OpenOptions } from '../support/harness'
import { SESSION_REQUIRED } from '../../../src/core/runtime/call'

const isAdmin = pikkuPermission(async (_services, _data, wire) => (wire.session as { role?: string } | undefined)?.role === 'admin')

const TOPICS = {
  'chat:message': { schema: v.object({ text: v.string() }) },
  'alerts:*': {},
  staff: { permissions: { isAdmin } },
  open: { auth: false },
  locked: { auth: true },
  bulk: { replay: false },
}

type Input = { topic: string; data?: unknown; skipSender?: boolean; channelId?: string; bytes?: number[]; role?: string }

/** App actions that use services.eventHub; `auth: false` so they work on channels that need a session. */
const ACTIONS = {
  sub: { auth: false, func: pikkuChannelFunc<Input, void>({ func: async ({ eventHub }, { topic }) => eventHub.subscribe(topic as never) }) },
  unsub: { auth: false, func: pikkuChannelFunc<Input, void>({ func: async ({ eventHub }, { topic }) => eventHub.unsubscribe(topic as never) }) },
  subOther: { auth: false, func: pikkuChannelFunc<Input, void>({ func: async ({ eventHub }, { topic, channelId }) => eventHub.subscribe(topic as never, channelId) }) },
  pub: {
    auth: false,
    func: pikkuChannelFunc<Input, unknown>({ func: async ({ eventHub }, { topic, data, skipSender }) => eventHub.publish(topic as never, data as never, { skipSender }) }),
  },
  pubBytes: {
    auth: false,
    func: pikkuChannelFunc<Input, unknown>({ func: async ({ eventHub }, { topic, bytes }) => eventHub.publish(topic as never, new Uint8Array(bytes!)) }),
  },
  // The seed's form: the callback sends what it gets.
  subCallback: {
    auth: false,
    func: pikkuChannelFunc<Input, void>({ func: async ({ eventHub, channel }, { topic }) => eventHub.subscribe(topic as never, (data) => channel.send(data)) }),
  },
  // A callback that reshapes the data: after a wake the closure is gone, and the data goes out as it is.
  subWrapping: {
    auth: false,
    func: pikkuChannelFunc<Input, void>({ func: async ({ eventHub, channel }, { topic }) => eventHub.subscribe(topic as never, (data) => channel.send({ wrapped: data })) }),
  },
  // Pikku's publish(topic, channelId | null, data, isBinary?), with the sender's id or null.
  pubPikku: {
    auth: false,
    func: pikkuChannelFunc<Input & { skipMe?: boolean; binary?: boolean }, unknown>({
      func: async ({ eventHub, channel }, { topic, data, skipMe, binary }) =>
        binary ? eventHub.publish(topic as never, skipMe ? channel.channelId : null, data as never, true) : eventHub.publish(topic as never, skipMe ? channel.channelId : null, data as never),
    }),
  },
  pubCaught: {
    auth: false,
    func: pikkuChannelFunc<Input, unknown>({
      func: async ({ eventHub }, { topic }) => {
        try {
          await eventHub.publish(topic as never, 1 as never)
          return 'published'
        } catch (error) {
          return { code: (error as { code?: string }).code, message: (error as Error).message }
        }
      },
    }),
  },
  login: { auth: false, func: pikkuChannelFunc<Input, void>({ func: async (_services, { role }, wire) => wire.setSession({ role }) }) },
}

type Config = Parameters<typeof openChannel>[0]

/** A runtime with two connections, `a` (conn-1, from the harness) and `b` (conn-2, built the same way over the same runtime). */
async function twoConnections(config: Config = {}, options: OpenOptions = {}) {
  const a = await openChannel({ auth: false, topics: TOPICS, onMessageWiring: ACTIONS, ...config }, options)
  const { runtime } = a
  const socket = new FakeSocket()
  const record = connectionRecord(a.channel, 'conn-2')
  const conn = new Connection(record, socket)
  await runtime.connect(conn)
  const b = {
    conn,
    socket,
    async send(frame: object): Promise<unknown[]> {
      const before = socket.sent.length
      await runtime.message(conn, JSON.stringify(frame))
      return socket.frames(before)
    },
  }
  const store = runtime.hub.store as MemoryHubStore
  return { a, b, runtime, store }
}

/** Frames a socket received after `from`, once the connection's queue is flushed. */
async function received(conn: Connection, socket: FakeSocket, from: number): Promise<unknown[]> {
  await conn.flushed()
  return socket.frames(from)
}

describe('services.eventHub in handlers', () => {
  it('subscribe and publish: the subscriber gets an event frame; the publisher gets { seq, delivered }', async () => {
    const { a, b } = await twoConnections()
    expect(await a.send({ action: 'sub', id: 1, topic: 'alerts:x' })).toStrictEqual([{ type: 'reply', action: 'sub', id: 1 }])
    const before = a.socket.sent.length
    expect(await b.send({ action: 'pub', id: 2, data: { topic: 'alerts:x', data: { n: 1 } } })).toStrictEqual([{ type: 'reply', action: 'pub', id: 2, data: { seq: 1, delivered: 1 } }])
    expect(a.socket.sent.slice(before)).toStrictEqual(['{"type":"event","topic":"alerts:x","data":{"n":1},"seq":1}'])
  })

  it('delivers to the sender before its reply, unless skipSender', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:*' })
    await b.send({ action: 'sub', topic: 'alerts:x' })
    expect(await a.send({ action: 'pub', id: 1, data: { topic: 'alerts:x', data: 'hi' } })).toStrictEqual([
      { type: 'event', topic: 'alerts:x', data: 'hi', seq: 1 },
      { type: 'reply', action: 'pub', id: 1, data: { seq: 1, delivered: 2 } },
    ])
    const before = b.socket.sent.length
    expect(await a.send({ action: 'pub', id: 2, data: { topic: 'alerts:x', data: 'again', skipSender: true } })).toStrictEqual([
      { type: 'reply', action: 'pub', id: 2, data: { seq: 2, delivered: 1 } },
    ])
    expect(b.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: 'again', seq: 2 }])
  })

  it('unsubscribe stops deliveries', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:*' })
    await a.send({ action: 'unsub', topic: 'alerts:*' })
    const before = a.socket.sent.length
    expect(await b.send({ action: 'pub', id: 1, data: { topic: 'alerts:x', data: 1 } })).toStrictEqual([{ type: 'reply', action: 'pub', id: 1, data: { seq: 1, delivered: 0 } }])
    expect(a.socket.sent.length).toBe(before)
  })

  it('subscribes another open connection of the instance by channel id, and refuses an unknown one', async () => {
    const { a, b, store, runtime } = await twoConnections()
    await b.send({ action: 'subOther', id: 1, topic: 'alerts:ops', channelId: 'conn-1' })
    expect(store.subscribersOf('alerts:ops')).toStrictEqual([['conn-1', 'event']])
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:ops', data: 'for you' } })
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'alerts:ops', data: 'for you', seq: 1 }])

    const unknown = { code: 'INVALID_INPUT', message: 'eventHub.subscribe: no open connection "nobody" in this channel instance' }
    expect(await b.send({ action: 'subOther', id: 2, topic: 'alerts:ops', channelId: 'nobody' })).toStrictEqual([{ type: 'error', action: 'subOther', id: 2, error: unknown }])
    await runtime.closed(a.conn)
    expect(await b.send({ action: 'subOther', id: 3, topic: 'alerts:ops', channelId: 'conn-1' })).toMatchObject([{ type: 'error', error: { code: 'INVALID_INPUT' } }])
  })

  it('server code may publish and subscribe to topics the channel does not declare: local, replayable, no schema', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'sports:football' })
    const before = a.socket.sent.length
    expect(await b.send({ action: 'pub', id: 1, data: { topic: 'sports:football', data: { any: 'shape' } } })).toStrictEqual([
      { type: 'reply', action: 'pub', id: 1, data: { seq: 1, delivered: 1 } },
    ])
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'sports:football', data: { any: 'shape' }, seq: 1 }])
  })

  it('a payload failing a declared topic\'s schema is a server error, logged, with nothing delivered', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'chat:message' })
    const before = a.socket.sent.length
    expect(await b.send({ action: 'pub', id: 2, data: { topic: 'chat:message', data: { words: 'no text' } } })).toStrictEqual([
      { type: 'error', action: 'pub', id: 2, error: { code: 'INTERNAL', message: 'Internal error' } },
    ])
    expect((a.logger.entries.at(-1)!.fields!.error as Error).message).toMatch(/^eventHub: Event for "chat:message" is invalid: /)
    expect(a.socket.sent.length).toBe(before)
  })

  it('a malformed topic is a ChannelError the handler can catch, thrown before anything is sent', async () => {
    const { a } = await twoConnections()
    expect(await a.send({ action: 'pubCaught', id: 1, topic: 'bad topic!' })).toStrictEqual([
      { type: 'reply', action: 'pubCaught', id: 1, data: { code: 'INVALID_INPUT', message: expect.stringMatching(/^eventHub: "bad topic!" is not a topic/) } },
    ])
  })

  it("the seed's callback form: each delivery calls the callback, which sends a message frame", async () => {
    const { a, b, store } = await twoConnections()
    await a.send({ action: 'subCallback', topic: 'todos:updated' })
    expect(store.subscribersOf('todos:updated')).toStrictEqual([['conn-1', 'message']])
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'todos:updated', data: { event: 'created', todo: { id: 1 } } } })
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'message', data: { event: 'created', todo: { id: 1 } } }])
    const warnings = a.logger.entries.filter((e) => e.message === 'channel.subscribe_callback')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.fields!.message).toContain('move that into channelMiddleware')
  })

  it('a callback subscription outlives the closure: after a wake it is delivered as channel.send(data)', async () => {
    const { a, b, store } = await twoConnections()
    await a.send({ action: 'subWrapping', topic: 'todos:updated' })
    await b.send({ action: 'pub', data: { topic: 'todos:updated', data: 1 } })
    expect(a.socket.frames().at(-1)).toStrictEqual({ type: 'message', data: { wrapped: 1 } })

    // A woken object: a new runtime over the same store, the same connection records, no closures.
    const woken = await twoConnections({}, { hubStore: store })
    await woken.b.send({ action: 'pub', data: { topic: 'todos:updated', data: 2 } })
    expect(woken.a.socket.frames().at(-1)).toStrictEqual({ type: 'message', data: 2 })
  })

  it('unsubscribe(topic) ends a callback subscription and forgets its callback', async () => {
    const { a, b, store } = await twoConnections()
    await a.send({ action: 'subCallback', topic: 'todos:updated' })
    await a.send({ action: 'unsub', topic: 'todos:updated' })
    expect(store.subscribersOf('todos:updated')).toStrictEqual([])
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'todos:updated', data: 1 } })
    expect(a.socket.sent.length).toBe(before)
  })
})

describe("services.eventHub.publish in Pikku's form: (topic, channelId | null, data, isBinary?)", () => {
  it('skips the connection it names (the sender), and skips nobody for null', async () => {
    const { a, b } = await twoConnections()
    for (const conn of [a, b]) await conn.send({ action: 'sub', topic: 'alerts:x' })
    const [beforeA, beforeB] = [a.socket.sent.length, b.socket.sent.length]
    await b.send({ action: 'pubPikku', data: { topic: 'alerts:x', data: { n: 1 }, skipMe: true } })
    const events = (frames: unknown[]) => frames.filter((frame) => (frame as { type: string }).type === 'event')
    expect(events(a.socket.frames(beforeA))).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: { n: 1 }, seq: 1 }])
    expect(events(b.socket.frames(beforeB))).toStrictEqual([])
    await b.send({ action: 'pubPikku', data: { topic: 'alerts:x', data: { n: 2 } } })
    expect(events(a.socket.frames(beforeA + 1))).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: { n: 2 }, seq: 2 }])
    expect(events(b.socket.frames(beforeB))).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: { n: 2 }, seq: 2 }])
  })

  it('with isBinary, sends the data as a binary event', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:bin' })
    const before = a.socket.sent.length
    await b.send({ action: 'pubPikku', data: { topic: 'alerts:bin', data: 'bytes', skipMe: true, binary: true } })
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'alerts:bin', seq: 1, binary: true }, new TextEncoder().encode('bytes')])
  })

  it('tells the forms apart by count and type: a string payload with options is still (topic, data, options)', async () => {
    const { a, b } = await twoConnections()
    for (const conn of [a, b]) await conn.send({ action: 'sub', topic: 'alerts:x' })
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:x', data: 'just text', skipSender: true } })
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: 'just text', seq: 1 }])
    // A null payload with options is ours too: (topic, null, { skipSender }) publishes null.
    await b.send({ action: 'pub', data: { topic: 'alerts:x', data: null, skipSender: true } })
    expect(a.socket.frames(before + 1)).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: null, seq: 2 }])
  })
})

describe('$subscribe', () => {
  it('replies { topic, seq } with the head, and subscribes', async () => {
    const { a, b, store } = await twoConnections()
    expect(await a.send({ action: '$subscribe', id: 's', topic: 'alerts:*' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 's', data: { topic: 'alerts:*', seq: 0 } },
    ])
    expect(store.patternSubscriptions()).toStrictEqual([['alerts:*', 'conn-1', 'event']])
    await b.send({ action: 'pub', data: { topic: 'alerts:x', data: 1 } })
    await b.send({ action: 'pub', data: { topic: 'bulk', data: 2 } })
    expect(await b.send({ action: '$subscribe', id: 7, topic: 'chat:message' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 7, data: { topic: 'chat:message', seq: 2 } },
    ])
    // Without an id, the reply still comes.
    expect(await b.send({ action: '$subscribe', topic: 'open' })).toStrictEqual([{ type: 'reply', action: '$subscribe', data: { topic: 'open', seq: 2 } }])
  })

  it('replays what was missed, in order and only for the topic, before the reply { topic, seq, replayed }', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:*' })
    await a.send({ action: 'sub', topic: 'chat:message' })
    const live = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:a', data: 'A' } }) // 1
    await b.send({ action: 'pub', data: { topic: 'chat:message', data: { text: 'not this' } } }) // 2
    await b.send({ action: 'pub', data: { topic: 'alerts:b', data: { deep: ['B'] } } }) // 3
    await b.send({ action: 'pub', data: { topic: 'bulk', data: 'unlogged' } }) // 4
    await b.send({ action: 'pub', data: { topic: 'alerts:c', data: null } }) // 5
    const liveFrames = a.socket.sent.slice(live)
    expect(liveFrames).toHaveLength(4)

    const before = b.socket.sent.length
    expect(await b.send({ action: '$subscribe', id: 'resume', topic: 'alerts:*', since: 1 })).toStrictEqual([
      { type: 'event', topic: 'alerts:b', data: { deep: ['B'] }, seq: 3 },
      { type: 'event', topic: 'alerts:c', data: null, seq: 5 },
      { type: 'reply', action: '$subscribe', id: 'resume', data: { topic: 'alerts:*', seq: 5, replayed: 2 } },
    ])
    // Replayed frames are the frames live subscribers got.
    expect(b.socket.sent.slice(before, before + 2)).toStrictEqual([liveFrames[2], liveFrames[3]])

    expect(await b.send({ action: '$subscribe', id: 2, topic: 'alerts:a', since: 0 })).toStrictEqual([
      { type: 'event', topic: 'alerts:a', data: 'A', seq: 1 },
      { type: 'reply', action: '$subscribe', id: 2, data: { topic: 'alerts:a', seq: 5, replayed: 1 } },
    ])
    expect(await b.send({ action: '$subscribe', id: 3, topic: 'chat:message', since: 5 })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 3, data: { topic: 'chat:message', seq: 5, replayed: 0 } },
    ])
  })

  it('replays binary events as header and bytes', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'pubBytes', topic: 'alerts:bin', bytes: [1, 2] })
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'alerts:*', since: 0 })).toStrictEqual([
      { type: 'event', topic: 'alerts:bin', seq: 1, binary: true },
      new Uint8Array([1, 2]),
      { type: 'reply', action: '$subscribe', id: 1, data: { topic: 'alerts:*', seq: 1, replayed: 1 } },
    ])
  })

  it('replies { topic, seq, resync: true } with no events when since is ahead of the head', async () => {
    const { a, b } = await twoConnections()
    await a.send({ action: 'pub', data: { topic: 'alerts:a', data: 1 } })
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'alerts:*', since: 2 })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 1, data: { topic: 'alerts:*', seq: 1, resync: true } },
    ])
  })

  it('says resync when since is older than the log reaches, and still subscribes', async () => {
    const { a, b, store } = await twoConnections({ replay: { count: 2 } })
    for (let i = 1; i <= 4; i++) await a.send({ action: 'pub', data: { topic: 'alerts:a', data: i } })
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'alerts:*', since: 1 })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 1, data: { topic: 'alerts:*', seq: 4, resync: true } },
    ])
    expect(store.patternSubscriptions()).toStrictEqual([['alerts:*', 'conn-2', 'event']])
    expect(await b.send({ action: '$subscribe', id: 2, topic: 'alerts:*', since: 2 })).toStrictEqual([
      { type: 'event', topic: 'alerts:a', data: 3, seq: 3 },
      { type: 'event', topic: 'alerts:a', data: 4, seq: 4 },
      { type: 'reply', action: '$subscribe', id: 2, data: { topic: 'alerts:*', seq: 4, replayed: 2 } },
    ])
  })

  it('says resync for a topic with replay: false', async () => {
    const { a, b } = await twoConnections()
    const [{ data }] = (await b.send({ action: '$subscribe', id: 1, topic: 'bulk' })) as [{ data: { seq: number } }]
    await a.send({ action: 'pub', data: { topic: 'bulk', data: 1 } })
    expect(await a.send({ action: '$subscribe', id: 2, topic: 'bulk', since: data.seq })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 2, data: { topic: 'bulk', seq: 1, resync: true } },
    ])
  })

  it('says resync on a channel with replay: false', async () => {
    const { a, b } = await twoConnections({ replay: false })
    await a.send({ action: 'pub', data: { topic: 'alerts:a', data: 1 } })
    await a.send({ action: 'pub', data: { topic: 'alerts:a', data: 2 } })
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'alerts:*', since: 1 })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 1, data: { topic: 'alerts:*', seq: 2, resync: true } },
    ])
  })
})

describe('$unsubscribe', () => {
  it('replies { topic, unsubscribed } and stops deliveries', async () => {
    const { a, b, store } = await twoConnections()
    await a.send({ action: '$subscribe', topic: 'alerts:*' })
    expect(await a.send({ action: '$unsubscribe', id: 1, topic: 'alerts:*' })).toStrictEqual([
      { type: 'reply', action: '$unsubscribe', id: 1, data: { topic: 'alerts:*', unsubscribed: true } },
    ])
    expect(await a.send({ action: '$unsubscribe', id: 2, topic: 'alerts:*' })).toStrictEqual([
      { type: 'reply', action: '$unsubscribe', id: 2, data: { topic: 'alerts:*', unsubscribed: false } },
    ])
    expect(await a.send({ action: '$unsubscribe', id: 3, topic: 'alerts:x' })).toStrictEqual([
      { type: 'reply', action: '$unsubscribe', id: 3, data: { topic: 'alerts:x', unsubscribed: false } },
    ])
    expect(store.subscriptions.size).toBe(0)
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:x', data: 1 } })
    expect(a.socket.sent.length).toBe(before)
  })
})

describe('topic auth and permissions', () => {
  it('a topic inherits the channel’s auth; without a session, UNAUTHENTICATED', async () => {
    const { a, store } = await twoConnections({ auth: true })
    expect(await a.send({ action: '$subscribe', id: 1, topic: 'alerts:x' })).toStrictEqual([
      { type: 'error', action: '$subscribe', id: 1, error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } },
    ])
    expect(await a.send({ action: '$unsubscribe', id: 2, topic: 'alerts:x' })).toStrictEqual([
      { type: 'error', action: '$unsubscribe', id: 2, error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } },
    ])
    expect(store.subscriptions.size).toBe(0)
    // auth: false on the topic wins over the channel.
    expect(await a.send({ action: '$subscribe', id: 3, topic: 'open' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 3, data: { topic: 'open', seq: 0 } },
    ])
    await a.send({ action: 'login', role: 'guest' })
    expect(await a.send({ action: '$subscribe', id: 4, topic: 'alerts:x' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 4, data: { topic: 'alerts:x', seq: 0 } },
    ])
  })

  it('auth: true on a topic wins over a channel without auth', async () => {
    const { a } = await twoConnections({ auth: false })
    expect(await a.send({ action: '$subscribe', id: 1, topic: 'locked' })).toStrictEqual([
      { type: 'error', action: '$subscribe', id: 1, error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } },
    ])
    expect(await a.send({ action: '$subscribe', id: 2, topic: 'alerts:x' })).toMatchObject([{ type: 'reply' }])
  })

  it('permissions: FORBIDDEN until they pass; the permission sees the topic', async () => {
    const seen: unknown[] = []
    const spy = pikkuPermission(async (_services, data) => {
      seen.push(data)
      return true
    })
    const { a } = await twoConnections({ auth: true, topics: { ...TOPICS, 'audit:*': { permissions: { spy } } } }, { session: { role: 'guest' } })
    expect(await a.send({ action: '$subscribe', id: 1, topic: 'staff' })).toStrictEqual([
      { type: 'error', action: '$subscribe', id: 1, error: { code: 'FORBIDDEN', message: 'Not permitted' } },
    ])
    await a.send({ action: 'login', role: 'admin' })
    expect(await a.send({ action: '$subscribe', id: 2, topic: 'staff' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 2, data: { topic: 'staff', seq: 0 } },
    ])
    await a.send({ action: '$subscribe', id: 3, topic: 'audit:eu', since: 0 })
    expect(seen).toEqual([{ topic: 'audit:eu', since: 0 }])
  })

  it('runs the channel’s middleware around $subscribe', async () => {
    const calls: unknown[] = []
    const middleware = pikkuMiddleware(async (_services, interaction, next) => {
      calls.push({ kind: interaction.kind, action: interaction.action, channelId: interaction.channelId })
      await next()
    })
    const { a } = await twoConnections({ middleware: [middleware] })
    calls.length = 0
    await a.send({ action: '$subscribe', id: 1, topic: 'alerts:x' })
    expect(calls).toStrictEqual([{ kind: 'message', action: '$subscribe', channelId: 'conn-1' }])
  })

  it('a broad pattern does not leak events of a narrower declaration the client may not subscribe to', async () => {
    const { a, b } = await twoConnections({ auth: false, topics: { ...TOPICS, 'alerts:secret:*': { auth: true, permissions: { isAdmin } } } })
    expect(await a.send({ action: '$subscribe', id: 1, topic: 'alerts:secret:x' })).toMatchObject([{ type: 'error', error: { code: 'UNAUTHENTICATED' } }])
    await a.send({ action: '$subscribe', id: 2, topic: 'alerts:*' })
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:secret:x', data: 'admins only' } })
    expect(a.socket.frames(before)).toStrictEqual([])
  })
})

describe('bad $subscribe input', () => {
  it('a topic the channel does not declare, but the server subscribed this connection to (seed 001), is taken as events', async () => {
    const { a, b, store } = await twoConnections({ auth: true }, { session: { userId: 'ada' } })
    await a.send({ action: 'subCallback', topic: 'todos:updated' })
    // The other connection holds no such subscription: it gains nothing.
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'todos:updated' })).toMatchObject([{ type: 'error', error: { code: 'INVALID_INPUT' } }])
    expect(await a.send({ action: '$subscribe', id: 2, topic: 'todos:updated' })).toStrictEqual([
      { type: 'reply', action: '$subscribe', id: 2, data: { topic: 'todos:updated', seq: 0 } },
    ])
    expect(store.subscribersOf('todos:updated')).toStrictEqual([['conn-1', 'event']])
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'todos:updated', data: { event: 'created' } } })
    expect(a.socket.frames(before)).toStrictEqual([{ type: 'event', topic: 'todos:updated', data: { event: 'created' }, seq: 1 }])
  })

  it('an undeclared topic is INVALID_INPUT on ["topic"]', async () => {
    const { a, store } = await twoConnections()
    const message = 'Topic "sports:football" is not offered on channel "test"'
    expect(await a.send({ action: '$subscribe', id: 1, topic: 'sports:football' })).toStrictEqual([
      { type: 'error', action: '$subscribe', id: 1, error: { code: 'INVALID_INPUT', message, issues: [{ message, path: ['topic'] }] } },
    ])
    expect(await a.send({ action: '$subscribe', id: 2, topic: '*' })).toMatchObject([
      { error: { code: 'INVALID_INPUT', message: 'Topic "*" is not offered on channel "test"', issues: [{ path: ['topic'] }] } },
    ])
    expect(await a.send({ action: '$unsubscribe', id: 3, topic: 'sports:football' })).toMatchObject([
      { type: 'error', action: '$unsubscribe', error: { code: 'INVALID_INPUT', issues: [{ path: ['topic'] }] } },
    ])
    expect(store.subscriptions.size).toBe(0)
  })

  it.each([
    ['bad topic!', '"bad topic!" is not a topic: use segments of letters, digits, ".", "_" or "-" separated by ":", and ":*" at the end for a pattern'],
    ['a::b', '"a::b" is not a topic: use segments of letters, digits, ".", "_" or "-" separated by ":", and ":*" at the end for a pattern'],
    ['', 'a topic must be a non-empty string'],
    ['x'.repeat(201), 'a topic is at most 200 characters'],
  ])('a malformed topic %j is INVALID_INPUT on ["topic"]', async (topic, problem) => {
    const { a } = await twoConnections()
    expect(await a.send({ action: '$subscribe', id: 1, topic })).toStrictEqual([
      { type: 'error', action: '$subscribe', id: 1, error: { code: 'INVALID_INPUT', message: `Input is invalid: ${problem}`, issues: [{ message: problem, path: ['topic'] }] } },
    ])
  })

  it('a missing or non-string topic, or a bad since, is INVALID_INPUT on its field', async () => {
    const { a, store } = await twoConnections()
    const path = async (frame: object) => ((await a.send({ action: '$subscribe', id: 1, ...frame })) as [{ error: { code: string; issues: { path: unknown }[] } }])[0].error
    expect(await path({})).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['topic'] }] })
    expect(await path({ topic: 42 })).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['topic'] }] })
    expect(await path({ topic: 'alerts:x', since: -1 })).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['since'] }] })
    expect(await path({ topic: 'alerts:x', since: 1.5 })).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['since'] }] })
    expect(await path({ topic: 'alerts:x', since: '3' })).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['since'] }] })
    expect(store.subscriptions.size).toBe(0)
  })
})

describe('connections that go away', () => {
  it('closing a connection drops its subscriptions from the store', async () => {
    const { a, b, runtime, store } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:x' })
    await b.send({ action: 'sub', topic: 'alerts:x' })
    await b.send({ action: '$subscribe', topic: 'alerts:*' })
    await b.send({ action: '$subscribe', topic: 'chat:message' })
    await runtime.closed(b.conn)
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['conn-1', 'event']])
    expect(store.patternSubscriptions()).toStrictEqual([])
    expect(store.subscribersOf('chat:message')).toStrictEqual([])
    expect(await a.send({ action: 'pub', id: 1, data: { topic: 'alerts:x', data: 1 } })).toContainEqual({ type: 'reply', action: 'pub', id: 1, data: { seq: 1, delivered: 1 } })
  })

  it('a server-side close drops them too', async () => {
    const { a, runtime, store } = await twoConnections()
    await a.send({ action: 'sub', topic: 'alerts:x' })
    await runtime.close(a.conn, 4000, 'bye')
    expect(a.socket.closes).toStrictEqual([{ code: 4000, reason: 'bye' }])
    expect(store.subscriptions.size).toBe(0)
  })

  it('a stored subscription of a connection this instance does not have is dropped on delivery', async () => {
    const { a, b, store } = await twoConnections()
    store.addSubscription('alerts:x', 'ghost', 'event')
    await a.send({ action: 'sub', topic: 'alerts:x' })
    expect(await b.send({ action: 'pub', id: 1, data: { topic: 'alerts:x', data: 1 } })).toStrictEqual([{ type: 'reply', action: 'pub', id: 1, data: { seq: 1, delivered: 1 } }])
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['conn-1', 'event']])
  })
})

describe('channel middleware and deliveries', () => {
  it('sees { type: "event", topic, data, seq } in the recipient’s services, and can transform or drop it', async () => {
    const seen: { channelId: string; event: ChannelEvent }[] = []
    const mw = pikkuChannelMiddleware(async (services: ChannelServices, event, next) => {
      if (event.type !== 'event') return next(event)
      seen.push({ channelId: services.channel.channelId, event })
      if (event.topic === 'alerts:drop') return next(null)
      return next({ ...event, data: { wrapped: event.data } })
    })
    const { a, b } = await twoConnections({ channelMiddleware: [mw] })
    await a.send({ action: 'sub', topic: 'alerts:*' })
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:keep', data: { n: 1 } } })
    await b.send({ action: 'pub', data: { topic: 'alerts:drop', data: { n: 2 } } })
    await b.send({ action: 'pub', data: { topic: 'alerts:keep', data: [3] } })
    expect(seen).toStrictEqual([
      { channelId: 'conn-1', event: { type: 'event', topic: 'alerts:keep', data: { n: 1 }, seq: 1 } },
      { channelId: 'conn-1', event: { type: 'event', topic: 'alerts:drop', data: { n: 2 }, seq: 2 } },
      { channelId: 'conn-1', event: { type: 'event', topic: 'alerts:keep', data: [3], seq: 3 } },
    ])
    expect(await received(a.conn, a.socket, before)).toStrictEqual([
      { type: 'event', topic: 'alerts:keep', data: { wrapped: { n: 1 } }, seq: 1 },
      { type: 'event', topic: 'alerts:keep', data: { wrapped: [3] }, seq: 3 },
    ])
  })

  it('sees replayed events the same way, before the reply', async () => {
    const seen: ChannelEvent[] = []
    const mw = pikkuChannelMiddleware(async (_services, event, next) => {
      seen.push(event)
      return next(event.type === 'event' ? { ...event, replayedBy: 'mw' } : event)
    })
    const { a, b } = await twoConnections({ channelMiddleware: [mw] })
    await a.send({ action: 'pub', data: { topic: 'alerts:a', data: { n: 1 } } })
    seen.length = 0
    expect(await b.send({ action: '$subscribe', id: 1, topic: 'alerts:*', since: 0 })).toStrictEqual([
      { type: 'event', topic: 'alerts:a', data: { n: 1 }, seq: 1, replayedBy: 'mw' },
      { type: 'reply', action: '$subscribe', id: 1, data: { topic: 'alerts:*', seq: 1, replayed: 1 } },
    ])
    expect(seen[0]).toStrictEqual({ type: 'event', topic: 'alerts:a', data: { n: 1 }, seq: 1 })
  })

  it('does not see binary events', async () => {
    const mw = vi.fn(pikkuChannelMiddleware(async (_services, event, next) => next(event)))
    const { a, b } = await twoConnections({ channelMiddleware: [mw] })
    await a.send({ action: 'sub', topic: 'alerts:bin' })
    mw.mockClear()
    const before = a.socket.sent.length
    await b.send({ action: 'pubBytes', topic: 'alerts:bin', bytes: [5] })
    expect(await received(a.conn, a.socket, before)).toStrictEqual([{ type: 'event', topic: 'alerts:bin', seq: 1, binary: true }, new Uint8Array([5])])
    expect(mw.mock.calls.map(([, event]) => event.type)).toStrictEqual(['reply'])
  })

  it('an undefined payload reaches the client as data: null with channel middleware too', async () => {
    const pass = pikkuChannelMiddleware(async (_services, event, next) => next(event))
    const { a, b } = await twoConnections({ channelMiddleware: [pass] })
    await a.send({ action: 'sub', topic: 'alerts:x' })
    const before = a.socket.sent.length
    await b.send({ action: 'pub', data: { topic: 'alerts:x' } })
    expect(await received(a.conn, a.socket, before)).toStrictEqual([{ type: 'event', topic: 'alerts:x', data: null, seq: 1 }])
  })
})
