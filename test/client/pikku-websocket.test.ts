import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChannelClientError } from '../../src/client/client-error'
import { PikkuWebSocket } from '../../src/client/index'
import { appSocket, CONNECTING, OPEN } from './support/app-socket'
import { fakeWebSocket, type FakeSocket } from './support/fake-websocket'
import type { clientFixtureChannel, clientFixtureKeyedChannel } from './support/fixture.channel'

// The seed 001 shape: new PikkuWebSocket(ws).getRoute(name).send / subscribe, over one ChannelClient.

const URL_ = 'wss://host/client-test-fixture/general?name=ada'
type Channels = { 'client-test-fixture': typeof clientFixtureChannel; 'client-test-fixture-keyed': typeof clientFixtureKeyedChannel }
const ROUTES = { 'client-test-fixture': '/client-test-fixture/:room', 'client-test-fixture-keyed': '/client-test-fixture-keyed/:room' }

let fake: ReturnType<typeof fakeWebSocket>

beforeEach(() => {
  vi.useFakeTimers()
  fake = fakeWebSocket()
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** The app's own socket, handed to the face, and the face's route for the fixture channel. */
function open(readyState = CONNECTING) {
  const ws = appSocket(fake, URL_, readyState)
  const pikku = new PikkuWebSocket<Channels>(ws, { keepaliveMs: false, routes: ROUTES })
  return { ws, pikku, route: pikku.getRoute('client-test-fixture') }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

async function reconnect(socket: FakeSocket): Promise<FakeSocket> {
  vi.spyOn(Math, 'random').mockReturnValue(0)
  const before = fake.sockets.length
  socket.drop(1006)
  await vi.advanceTimersByTimeAsync(0)
  expect(fake.sockets).toHaveLength(before + 1)
  return fake.current
}

describe('new PikkuWebSocket(ws)', () => {
  it('adopts a CONNECTING socket as its one connection and opens at its welcome', async () => {
    const { ws, pikku, route } = open(CONNECTING)
    expect(fake.sockets).toEqual([ws])
    expect(pikku.client.url).toBe(URL_)
    const posted = route.send('post', { text: 'hi' })
    expect(ws.sent).toEqual([])
    ws.welcome({ room: 'general' })
    await expect(pikku.ready()).resolves.toEqual({ room: 'general' })
    expect(pikku.state).toBe('open')
    const request = ws.request('post')
    expect(request).toEqual({ action: 'post', id: 1, data: { text: 'hi' } })
    ws.reply(request, { id: 1, text: 'hi' })
    await expect(posted).resolves.toEqual({ id: 1, text: 'hi' })
  })

  it('adopts an OPEN socket: a probe ping, then the welcome (or, if it went by, the pong) opens it', async () => {
    const { ws, pikku, route } = open(OPEN)
    expect(ws.sent).toEqual(['{"action":"$ping"}'])
    const now = route.send('now')
    ws.pushText('{"type":"pong"}')
    await expect(pikku.ready()).resolves.toBeUndefined()
    ws.reply(ws.request('now'), { at: 3 })
    await expect(now).resolves.toEqual({ at: 3 })
  })

  it('connects from a URL as createClient does', () => {
    const pikku = new PikkuWebSocket(URL_, { WebSocket: fake.WebSocket, keepaliveMs: false })
    expect(fake.current.address).toBe(URL_)
    expect(fake.current.sent).toEqual([])
    fake.current.welcome()
    expect(pikku.state).toBe('open')
  })

  it('throws a TypeError for a socket that has no url to reconnect to', () => {
    const ws = Object.assign(new fake.WebSocket(URL_), { url: null })
    expect(() => new PikkuWebSocket(ws)).toThrow(TypeError)
  })

  it('close() closes the adopted socket for good and rejects pending sends with CLOSED', async () => {
    const { ws, pikku, route } = open(CONNECTING)
    ws.welcome()
    const pending = route.send('now')
    pikku.close()
    expect(ws.closedByClient).toEqual({ code: 1000, reason: '' })
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' })
    expect(pikku.state).toBe('closed')
  })
})

describe('route.send', () => {
  it('rejects with a ChannelClientError carrying the server’s code and issues', async () => {
    const { ws, route } = open()
    ws.welcome()
    const posted = route.send('post', { text: 'hi' })
    ws.error(ws.request('post'), 'INVALID_INPUT', 'Invalid input', [{ message: 'too long', path: ['text'] }])
    const error = await posted.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChannelClientError)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ message: 'too long', path: ['text'] }], details: { action: 'post', id: 1 } })
  })

  it('rejects with TIMEOUT when no reply comes in time (per call options pass through)', async () => {
    const { ws, route } = open()
    ws.welcome()
    const now = route.send('now', undefined, { timeoutMs: 50 })
    const caught = now.catch((e: ChannelClientError) => e.code)
    await vi.advanceTimersByTimeAsync(50)
    await expect(caught).resolves.toBe('TIMEOUT')
  })
})

describe('route.subscribe / unsubscribe', () => {
  it('subscribes to the topic and passes each event’s payload and meta to the callback', async () => {
    const { ws, route } = open()
    ws.welcome()
    const seen: unknown[] = []
    const subscription = route.subscribe('room:message', (data, meta) => seen.push([data, meta.seq]))
    expect(ws.request('$subscribe').data).toEqual({ topic: 'room:message' })
    ws.reply(ws.request('$subscribe'), { topic: 'room:message', seq: 1 })
    await expect(subscription.ready).resolves.toBeUndefined()
    ws.event('room:message', 2, { text: 'hi', author: 'bo' })
    expect(seen).toEqual([[{ text: 'hi', author: 'bo' }, 2]])
  })

  it('returns the same handle for the same callback and topic; unsubscribe(topic, callback) stops only that callback', async () => {
    const { ws, route } = open()
    ws.welcome()
    const a: number[] = []
    const b: number[] = []
    const onA = (_data: unknown, meta: { seq: number }) => a.push(meta.seq)
    const first = route.subscribe('room:message', onA)
    expect(route.subscribe('room:message', onA)).toBe(first)
    route.subscribe('room:message', (_data, meta) => b.push(meta.seq))
    expect(ws.framesFor('$subscribe')).toHaveLength(1)
    ws.event('room:message', 1, {})
    route.unsubscribe('room:message', onA)
    ws.event('room:message', 2, {})
    expect([a, b]).toEqual([[1], [1, 2]])
    expect(ws.framesFor('$unsubscribe')).toHaveLength(0)
  })

  it('unsubscribe(topic) drops every callback of the topic and sends $unsubscribe; unsubscribe() drops all', async () => {
    const { ws, route } = open()
    ws.welcome()
    const seen: string[] = []
    route.subscribe('room:message', () => seen.push('one'))
    route.subscribe('room:message', () => seen.push('two'))
    route.subscribe('presence', () => seen.push('presence'))
    route.unsubscribe('room:message')
    expect(ws.request('$unsubscribe').data).toEqual({ topic: 'room:message' })
    ws.event('room:message', 1, {})
    ws.event('presence', 2, {})
    route.unsubscribe()
    ws.event('presence', 3, {})
    expect(seen).toEqual(['presence'])
    expect(ws.framesFor('$unsubscribe').map((frame) => frame.data)).toEqual([{ topic: 'room:message' }, { topic: 'presence' }])
    // A handle whose callback is gone may still be called: nothing happens twice.
    route.unsubscribe('presence')
    expect(ws.framesFor('$unsubscribe')).toHaveLength(2)
  })

  it('forgets a subscription the server refused, so that subscribing the callback again asks again', async () => {
    const { ws, route } = open()
    ws.welcome()
    const callback = () => undefined
    const refused = route.subscribe('room:message', callback)
    ws.error(ws.request('$subscribe'), 'FORBIDDEN')
    await expect(refused.ready).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const again = route.subscribe('room:message', callback)
    expect(again).not.toBe(refused)
    expect(ws.framesFor('$subscribe')).toHaveLength(2)
  })
})

describe('after a drop', () => {
  it('reconnects (with the adopted socket’s class, to its URL), resubscribes with since, and sends and delivers through the same route', async () => {
    const { ws, route } = open()
    ws.welcome()
    const seen: number[] = []
    route.subscribe('room:message', (_data, meta) => seen.push(meta.seq))
    ws.reply(ws.request('$subscribe'), { topic: 'room:message', seq: 4 })
    await settle()
    ws.event('room:message', 5, {})
    const inFlight = route.send('now').catch((e: ChannelClientError) => e.code)
    const next = await reconnect(ws)
    await expect(inFlight).resolves.toBe('DISCONNECTED')
    expect(next.address).toBe(URL_)
    const now = route.send('now')
    next.welcome()
    expect(next.frames.map((frame) => [frame.action, frame.data])).toEqual([
      ['$subscribe', { topic: 'room:message', since: 5 }],
      ['now', undefined],
    ])
    next.event('room:message', 5, {}) // replayed: already seen
    next.event('room:message', 6, {})
    next.reply(next.request('$subscribe'), { topic: 'room:message', seq: 6, replayed: 1 })
    next.reply(next.request('now'), { at: 9 })
    await expect(now).resolves.toEqual({ at: 9 })
    expect(seen).toEqual([5, 6])
  })
})
