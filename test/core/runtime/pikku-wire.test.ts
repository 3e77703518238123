import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../../src/core/errors'
import { pikkuChannelMiddleware } from '../../../src/core/runtime/channel-middleware'
import { Connection, type Frame } from '../../../src/core/runtime/connection'
import type { ChannelRuntime } from '../../../src/core/runtime/runtime'
import type { ChannelEvent, ChannelServices } from '../../../src/core/types'
import { pikkuChannelFunc, pikkuFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { PikkuClientModel } from '../protocol/pikku-client'
import { connectionRecord, createConnection, FakeSocket, type OpenOptions } from '../support/harness'

type Config = Parameters<typeof createConnection>[0]

/** Inputs the handlers were called with, in order. */
const inputs: unknown[] = []

const ACTIONS = {
  echo: pikkuSessionlessFunc({
    func: async (_services, data: unknown) => {
      inputs.push(data)
      return data
    },
  }),
  count: pikkuSessionlessFunc({ func: async () => 3 }),
  nothing: pikkuSessionlessFunc({ func: async () => undefined }),
  list: pikkuSessionlessFunc({ func: async () => ['a', 'b'] }),
  deny: pikkuSessionlessFunc({
    func: async () => {
      throw new ChannelError('FORBIDDEN', 'Not for you')
    },
  }),
  boom: pikkuSessionlessFunc({
    func: async () => {
      throw new Error('kaboom: secret detail')
    },
  }),
  strict: pikkuSessionlessFunc({ input: v.object({ n: v.number() }), func: async (_services, { n }) => ({ doubled: n * 2 }) }),
  secret: pikkuFunc({ func: async (_services, _data: unknown, wire) => ({ session: wire.session }) }),
  login: pikkuSessionlessFunc({ input: v.object({ user: v.string() }), func: async (_services, { user }, wire) => wire.setSession({ user }) }),
  // Pikku's EventHub forms: subscribe(topic, channelId), publish(topic, channelId | null, data).
  sub: pikkuChannelFunc<{ topic: string }, void>({ auth: false, func: async ({ eventHub, channel }, { topic }) => eventHub.subscribe(topic as never, channel.channelId) }),
  pub: pikkuChannelFunc<{ topic: string; payload: unknown }, unknown>({
    auth: false,
    func: async ({ eventHub }, { topic, payload }) => eventHub.publish(topic as never, null, payload as never),
  }),
  pubBytes: pikkuChannelFunc<{ topic: string }, unknown>({ auth: false, func: async ({ eventHub }, { topic }) => eventHub.publish(topic as never, new Uint8Array([7, 8])) }),
  // The seed's callback form: the callback does channel.send(data).
  subCallback: pikkuChannelFunc<{ topic: string }, void>({
    auth: false,
    func: async ({ eventHub, channel }, { topic }) => eventHub.subscribe(topic as never, (data) => channel.send(data)),
  }),
  say: pikkuChannelFunc<{ text: string }, void>({ auth: false, func: async ({ channel }, { text }) => void channel.send({ said: text }) }),
}

const TOPICS = { 'chat:message': {}, 'alerts:*': {} }

/**
 * A Pikku-style client over a connection of `runtime`: what the socket is
 * sent is fed to the client. Frames are handled one after the other, in the
 * order sent, so that tests read deterministically.
 */
function attach(runtime: ChannelRuntime, conn: Connection, socket: FakeSocket) {
  let handled: Promise<void> = Promise.resolve()
  const deliver = (message: string | ArrayBuffer) => void (handled = handled.then(() => runtime.message(conn, message)))
  const client = new PikkuClientModel(deliver)
  const send = socket.send.bind(socket)
  socket.send = (frame: Frame) => {
    send(frame)
    client.receive(typeof frame === 'string' ? frame : frame instanceof ArrayBuffer ? frame : new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice().buffer)
  }
  return {
    client,
    conn,
    socket,
    /** Sends one frame as it is (with Pikku's client, `ws.send(...)`). */
    raw: deliver,
    /** Waits until everything sent so far is handled and its answers are out. */
    async settle() {
      await handled
      await conn.flushed()
    },
  }
}

/** A Pikku-mode channel (`protocol: 'pikku'`) and one connected Pikku-style client. */
async function pikkuChannel(config: Config = {}, options: OpenOptions = {}) {
  const opened = createConnection({ protocol: 'pikku', auth: false, topics: TOPICS, onMessageWiring: ACTIONS, ...config }, options)
  const attached = attach(opened.runtime, opened.conn, opened.socket)
  await opened.runtime.connect(opened.conn)
  /** Another connection to the same instance, with its own client. */
  const join = async (channelId: string) => {
    const socket = new FakeSocket()
    const conn = new Connection(connectionRecord(opened.channel, channelId), socket)
    const other = attach(opened.runtime, conn, socket)
    await opened.runtime.connect(conn)
    return other
  }
  return { ...opened, ...attached, join, route: attached.client.getRoute('action') }
}

describe('Pikku wire mode: actions', () => {
  it('takes a flat frame whose `id` is input: the handler receives it, and the result comes back flat with the routing key', async () => {
    const { route, socket, settle } = await pikkuChannel()
    inputs.length = 0
    const answer = route.next('echo')
    route.send('echo', { id: 7, text: 'hi' })
    expect(await answer).toStrictEqual({ id: 7, text: 'hi', action: 'echo' })
    expect(inputs).toStrictEqual([{ id: 7, text: 'hi' }])
    await settle()
    expect(socket.sent).toStrictEqual(['{"id":7,"text":"hi","action":"echo"}'])
  })

  it('treats `data` as input too, not as a wrapper', async () => {
    const { route } = await pikkuChannel()
    const answer = route.next('echo')
    route.send('echo', { data: { nested: true } })
    expect(await answer).toStrictEqual({ data: { nested: true }, action: 'echo' })
  })

  it('echoes a custom routing key under its own name', async () => {
    const add = pikkuSessionlessFunc({ func: async (_s, { a, b }: { a: number; b: number }) => a + b })
    const { client, socket, settle } = await pikkuChannel({ onMessageWiring: { op: { add, echo: ACTIONS.echo } } })
    const op = client.getRoute('op')
    const sum = op.next('add')
    op.send('add', { a: 1, b: 2 })
    expect(await sum).toStrictEqual({ op: 'add', result: 3 })
    const echoed = op.next('echo')
    op.send('echo', { action: 'not the key' })
    expect(await echoed).toStrictEqual({ action: 'not the key', op: 'echo' })
    await settle()
    expect(socket.sent[0]).toBe('{"op":"add","result":3}')
  })

  it('answers an object result flat, a primitive under `result`, and an undefined result with the key alone', async () => {
    const { route, socket, settle } = await pikkuChannel()
    const answers = Promise.all([route.next('echo'), route.next('count'), route.next('nothing'), route.next('list')])
    route.send('echo', { ok: true })
    route.send('count', {})
    route.send('nothing', {})
    route.send('list', {})
    expect(await answers).toStrictEqual([{ ok: true, action: 'echo' }, { action: 'count', result: 3 }, { action: 'nothing' }, { action: 'list', result: ['a', 'b'] }])
    await settle()
    expect(socket.sent).toStrictEqual(['{"ok":true,"action":"echo"}', '{"action":"count","result":3}', '{"action":"nothing"}', '{"action":"list","result":["a","b"]}'])
  })

  it('routes errors to the action: thrown ChannelErrors, INTERNAL without details, unknown actions', async () => {
    const { route, client, logger } = await pikkuChannel({ onMessage: undefined })
    const denied = route.next('deny')
    route.send('deny', {})
    expect(await denied).toStrictEqual({ action: 'deny', error: { code: 'FORBIDDEN', message: 'Not for you' } })
    const crashed = route.next('boom')
    route.send('boom', {})
    expect(await crashed).toStrictEqual({ action: 'boom', error: { code: 'INTERNAL', message: 'Internal error' } })
    expect(JSON.stringify(client.received)).not.toContain('secret detail')
    expect(logger.entries.some((entry) => entry.message === 'channel.handler_failed')).toBe(true)
    const unknown = route.next('nope')
    route.send('nope', {})
    expect(await unknown).toStrictEqual({ action: 'nope', error: { code: 'UNKNOWN_ACTION', message: 'Unknown action "nope". Actions: boom, count, deny, echo, list, login, nothing, pub, pubBytes, say, secret, strict, sub, subCallback' } })
  })

  it('sends a frame with no readable action, on a channel without onMessage, `{ error }` alone', async () => {
    const { client, raw } = await pikkuChannel()
    const frames = [client.nextFrame()]
    raw('not json')
    expect(await frames[0]).toStrictEqual({ error: { code: 'BAD_MESSAGE', message: 'Frame is not valid JSON' } })
    const next = client.nextFrame()
    raw('{"text":"no action"}')
    expect(await next).toStrictEqual({ error: { code: 'BAD_MESSAGE', message: 'Frame has no "action"' } })
  })

  it('answers auth and validation failures in the same shape', async () => {
    const { route } = await pikkuChannel()
    const unauthenticated = route.next('secret')
    route.send('secret', {})
    expect(await unauthenticated).toMatchObject({ action: 'secret', error: { code: 'UNAUTHENTICATED' } })
    const invalid = route.next('strict')
    route.send('strict', { n: 'two' })
    const answer = await invalid
    expect(answer).toMatchObject({ action: 'strict', error: { code: 'INVALID_INPUT', issues: [{ path: ['n'] }] } })
    expect(Object.keys(answer)).toStrictEqual(['action', 'error'])
    // And once a session is set, the same action answers flat.
    const loggedIn = route.next('login')
    route.send('login', { user: 'ada' })
    expect(await loggedIn).toStrictEqual({ action: 'login' })
    const secret = route.next('secret')
    route.send('secret', {})
    expect(await secret).toStrictEqual({ session: { user: 'ada' }, action: 'secret' })
  })

  it('answers TOO_LARGE alone, RATE_LIMITED to the action (the frame too large took a token too), and keeps going', async () => {
    const { route, raw, client, settle } = await pikkuChannel({ rateLimit: { perSecond: 1, burst: 1, closeAfter: 100 }, maxMessageSize: 64 })
    raw(JSON.stringify({ action: 'echo', text: 'x'.repeat(100) }))
    await settle()
    expect(client.received.at(-1)).toMatchObject({ error: { code: 'TOO_LARGE' } })
    expect(client.received.at(-1)).not.toHaveProperty('action')
    const limited = route.next('count')
    route.send('count', {})
    expect(await limited).toMatchObject({ action: 'count', error: { code: 'RATE_LIMITED' } })
  })
})

describe('Pikku wire mode: connecting', () => {
  it("sends onConnect's result as the first frame, as it is: no welcome", async () => {
    const { socket } = await pikkuChannel({ onConnect: async (_s: unknown, data: unknown) => ({ hello: (data as { room: string }).room }) }, { openingData: { room: 'r1' } })
    expect(socket.sent).toStrictEqual(['{"hello":"r1"}'])
  })

  it('sends nothing at all when onConnect returns nothing, or there is none', async () => {
    expect((await pikkuChannel({ onConnect: async () => undefined })).socket.sent).toStrictEqual([])
    expect((await pikkuChannel()).socket.sent).toStrictEqual([])
  })

  it("sends what onConnect sent with channel.send first, then its result (Pikku's order: the result goes when onConnect returns)", async () => {
    const { socket, conn } = await pikkuChannel({
      onConnect: async ({ channel }: ChannelServices) => {
        void channel.send({ early: 1 })
        return 'ready'
      },
    })
    expect(socket.sent).toStrictEqual(['{"early":1}', '"ready"'])
    expect(conn.state).toBe('open')
  })

  it('still closes with a close code when onConnect refuses', async () => {
    const { socket } = await pikkuChannel({
      onConnect: async () => {
        throw new ChannelError('UNAUTHENTICATED', 'Who are you?')
      },
    })
    expect(socket.sent).toStrictEqual([])
    expect(socket.closes).toStrictEqual([{ code: 4401, reason: 'Who are you?' }])
  })
})

describe('Pikku wire mode: onMessage', () => {
  const onMessage = pikkuChannelFunc({
    func: async (_s, data: unknown) => {
      inputs.push(data)
      return typeof data === 'string' ? { got: data } : undefined
    },
  })

  it('hands text that is not JSON to onMessage as the string, and sends its result as it is', async () => {
    const { client, raw, socket, settle } = await pikkuChannel({ onMessage })
    inputs.length = 0
    const answer = client.nextFrame()
    raw('hello, plain text')
    expect(await answer).toStrictEqual({ got: 'hello, plain text' })
    expect(inputs).toStrictEqual(['hello, plain text'])
    await settle()
    expect(socket.sent).toStrictEqual(['{"got":"hello, plain text"}'])
  })

  it('hands a frame naming no wired action to onMessage whole, and sends nothing for an undefined result', async () => {
    const { client, settle, socket } = await pikkuChannel({ onMessage })
    inputs.length = 0
    client.getRoute('action').send('unwired', { x: 1 })
    client.send({ free: 'form' })
    client.send([1, 2])
    await settle()
    expect(inputs).toStrictEqual([{ action: 'unwired', x: 1 }, { free: 'form' }, [1, 2]])
    expect(socket.sent).toStrictEqual([])
  })
})

describe('Pikku wire mode: events and channel.send', () => {
  it('delivers a publish as the bare payload, which subscribeToEventHub finds by its `topic`', async () => {
    const listener = await pikkuChannel()
    const speaker = await listener.join('conn-2')
    const subscribed = listener.route.next('sub')
    listener.route.send('sub', { topic: 'chat:message' })
    expect(await subscribed).toStrictEqual({ action: 'sub' })

    const event = listener.client.nextEvent('chat:message')
    const published = speaker.client.getRoute('action').next('pub')
    speaker.client.getRoute('action').send('pub', { topic: 'chat:message', payload: { topic: 'chat:message', text: 'hi' } })
    expect(await event).toStrictEqual({ topic: 'chat:message', text: 'hi' })
    expect(await published).toMatchObject({ delivered: 1, action: 'pub' })
    await listener.settle()
    expect(listener.socket.sent.at(-1)).toBe('{"topic":"chat:message","text":"hi"}')
  })

  it('sends a payload without `topic` bare as well (Pikku apps that filter by topic put it in their payloads)', async () => {
    const { route, client, socket, settle } = await pikkuChannel()
    route.send('sub', { topic: 'alerts:*' })
    route.send('pub', { topic: 'alerts:fire', payload: 42 })
    await settle()
    expect(socket.sent).toStrictEqual(['{"action":"sub"}', '42', '{"seq":1,"delivered":1,"action":"pub"}'])
    expect(client.received[1]).toBe(42)
  })

  it('sends a binary publish as its bytes alone', async () => {
    const { route, client, settle, socket } = await pikkuChannel()
    route.send('sub', { topic: 'alerts:*' })
    const bytes = client.nextBinary()
    route.send('pubBytes', { topic: 'alerts:bin' })
    expect([...new Uint8Array(await bytes)]).toStrictEqual([7, 8])
    await settle()
    expect(socket.sent.filter((frame) => typeof frame === 'string' && frame.includes('"binary"'))).toStrictEqual([])
  })

  it("sends channel.send(data) as the data's JSON, and the seed's callback subscriptions the same way", async () => {
    const { route, client, socket, settle } = await pikkuChannel()
    route.send('say', { text: 'hi' })
    route.send('subCallback', { topic: 'chat:message' })
    route.send('pub', { topic: 'chat:message', payload: { topic: 'chat:message', n: 1 } })
    await settle()
    expect(socket.sent.slice(0, 3)).toStrictEqual(['{"said":"hi"}', '{"action":"say"}', '{"action":"subCallback"}'])
    expect(socket.sent[3]).toBe('{"topic":"chat:message","n":1}')
    expect(client.received[3]).toStrictEqual({ topic: 'chat:message', n: 1 })
  })
})

describe('Pikku wire mode: channel middleware', () => {
  it('sees the same ChannelEvents as in v1, and what it passes on is encoded in the Pikku shape', async () => {
    const seen: ChannelEvent[] = []
    const stamp = pikkuChannelMiddleware(async (_s, event, next) => {
      seen.push(event)
      await next({ ...event, data: typeof event.data === 'object' && event.data !== null ? { ...event.data, stamped: true } : event.data, sentAt: 1 })
    })
    const { route, socket, settle } = await pikkuChannel({ channelMiddleware: [stamp] })
    route.send('echo', { text: 'hi' })
    route.send('count', {})
    route.send('say', { text: 'yo' })
    route.send('sub', { topic: 'alerts:*' })
    route.send('pub', { topic: 'alerts:a', payload: { topic: 'alerts:a' } })
    await settle()
    expect(seen.slice(0, 4)).toStrictEqual([
      { type: 'reply', action: 'echo', id: undefined, data: { text: 'hi' } },
      { type: 'reply', action: 'count', id: undefined, data: 3 },
      { type: 'message', data: { said: 'yo' } },
      { type: 'reply', action: 'say', id: undefined, data: undefined },
    ])
    expect(seen).toContainEqual({ type: 'event', topic: 'alerts:a', data: { topic: 'alerts:a' }, seq: 1 })
    expect(socket.sent.slice(0, 4)).toStrictEqual([
      '{"text":"hi","stamped":true,"action":"echo","sentAt":1}',
      '{"action":"count","result":3,"sentAt":1}',
      '{"said":"yo","stamped":true,"sentAt":1}',
      '{"action":"say","sentAt":1}',
    ])
    expect(socket.sent).toContain('{"topic":"alerts:a","stamped":true,"sentAt":1}')
  })

  it('can drop a frame, and a failing one answers INTERNAL to the action', async () => {
    const dropCount = pikkuChannelMiddleware(async (_s, event, next) => {
      if (event.type === 'reply' && event.action === 'count') return next(null)
      if (event.type === 'reply' && event.action === 'list') throw new Error('middleware bug')
      await next(event)
    })
    const { route, socket, settle } = await pikkuChannel({ channelMiddleware: [dropCount] })
    route.send('count', {})
    route.send('list', {})
    route.send('nothing', {})
    await settle()
    expect(socket.sent).toStrictEqual(['{"action":"list","error":{"code":"INTERNAL","message":"Internal error"}}', '{"action":"nothing"}'])
  })
})

describe('Pikku wire mode: built-in actions', () => {
  it('answers $ping with the same pong the platform sends for the keepalive', async () => {
    const { client, raw } = await pikkuChannel()
    const pong = client.nextFrame()
    raw('{"action":"$ping","id":"p1"}')
    expect(await pong).toStrictEqual({ type: 'pong' })
  })

  it('takes $subscribe flat, replays raw payloads before its flat reply, and refuses an undeclared topic to the action', async () => {
    const { route, client, socket, settle, join } = await pikkuChannel()
    const other = await join('conn-2')
    other.client.getRoute('action').send('pub', { topic: 'chat:message', payload: { topic: 'chat:message', n: 1 } })
    other.client.getRoute('action').send('pub', { topic: 'chat:message', payload: { topic: 'chat:message', n: 2 } })
    await other.settle()
    const reply = route.next('$subscribe')
    client.send({ action: '$subscribe', topic: 'chat:message', since: 0 })
    expect(await reply).toStrictEqual({ topic: 'chat:message', seq: 2, replayed: 2, action: '$subscribe' })
    await settle()
    expect(socket.sent.slice(0, 2)).toStrictEqual(['{"topic":"chat:message","n":1}', '{"topic":"chat:message","n":2}'])
    const refused = route.next('$subscribe')
    client.send({ action: '$subscribe', topic: 'nowhere' })
    expect(await refused).toMatchObject({ action: '$subscribe', error: { code: 'INVALID_INPUT' } })
  })

  it('names built-ins by `action` on a custom-key channel, and answers them under it', async () => {
    const { client } = await pikkuChannel({ onMessageWiring: { op: { echo: ACTIONS.echo } } })
    const reply = client.getRoute('action').next('$unsubscribe')
    client.send({ action: '$unsubscribe', topic: 'chat:message' })
    expect(await reply).toStrictEqual({ topic: 'chat:message', unsubscribed: false, action: '$unsubscribe' })
  })
})

describe('Pikku wire mode: binary frames', () => {
  it('hands bytes to onBinaryMessage and sends its bytes back; without one, BINARY_NOT_SUPPORTED alone', async () => {
    const reverse = pikkuChannelFunc<Uint8Array, Uint8Array>({ func: async (_s, bytes) => bytes.slice().reverse() })
    const withHandler = await pikkuChannel({ onBinaryMessage: reverse })
    const back = withHandler.client.nextBinary()
    await withHandler.runtime.message(withHandler.conn, new Uint8Array([1, 2, 3]).buffer)
    expect([...new Uint8Array(await back)]).toStrictEqual([3, 2, 1])

    const without = await pikkuChannel()
    await without.runtime.message(without.conn, new Uint8Array([1]).buffer)
    expect(without.client.received).toStrictEqual([{ error: { code: 'BINARY_NOT_SUPPORTED', message: 'Channel "test" does not accept binary frames' } }])
  })
})

describe('a v1 channel next to it', () => {
  it('keeps every frame as protocol v1 has it', async () => {
    const opened = createConnection({ auth: false, topics: TOPICS, onMessageWiring: ACTIONS, onConnect: async () => 'hi' })
    await opened.runtime.connect(opened.conn)
    expect(opened.channel.protocol).toBe('v1')
    const send = (frame: object) => opened.send(frame)
    expect(await send({ action: 'echo', id: 7, text: 'hi' })).toStrictEqual([{ type: 'reply', action: 'echo', id: 7, data: { text: 'hi' } }])
    expect(await send({ action: 'count' })).toStrictEqual([{ type: 'reply', action: 'count', data: 3 }])
    expect(await send({ action: 'nothing' })).toStrictEqual([])
    expect(await send({ action: 'deny', id: 1 })).toStrictEqual([{ type: 'error', action: 'deny', id: 1, error: { code: 'FORBIDDEN', message: 'Not for you' } }])
    expect(await send({ action: 'sub', id: 2, topic: 'alerts:*' })).toStrictEqual([{ type: 'reply', action: 'sub', id: 2 }])
    expect(await send({ action: 'pub', id: 3, topic: 'alerts:x', payload: { n: 1 } })).toStrictEqual([
      { type: 'event', topic: 'alerts:x', data: { n: 1 }, seq: 1 },
      { type: 'reply', action: 'pub', id: 3, data: { seq: 1, delivered: 1 } },
    ])
    expect(await send({ action: 'say', text: 'yo' })).toStrictEqual([{ type: 'message', data: { said: 'yo' } }])
    expect(opened.socket.sent[0]).toBe('{"type":"welcome","channelId":"conn-1","data":"hi"}')
  })
})
