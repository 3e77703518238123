import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../../src/client/channel-client'
import type { ClientOptions, WebSocketLike } from '../../src/client/options'
import type { ConnectionState } from '../../src/client/types'
import { appSocket, CLOSED, CLOSING, CONNECTING, OPEN } from './support/app-socket'
import { fakeWebSocket } from './support/fake-websocket'
import type { clientFixtureChannel } from './support/fixture.channel'

// createClient(url, { socket }): the first connection is a socket the app already made.

const URL_ = 'wss://host/client-test-fixture/general'
const PING = '{"action":"$ping"}'

let fake: ReturnType<typeof fakeWebSocket>

beforeEach(() => {
  vi.useFakeTimers()
  fake = fakeWebSocket()
  // No handshake probe unless a test gives one: Node's own fetch would reach for the network.
  vi.stubGlobal('fetch', undefined)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

function adopt(readyState: number, options: ClientOptions = {}) {
  const socket = appSocket(fake, URL_, readyState)
  const client = createClient<typeof clientFixtureChannel>(URL_, { keepaliveMs: false, ...options, socket })
  const states: ConnectionState[] = []
  client.onStateChange((state) => states.push(state))
  return { socket, client, states }
}

describe('adopting a socket', () => {
  it('takes a CONNECTING socket as it is: no second socket, arraybuffer, nothing sent before its welcome', async () => {
    const { socket, client } = adopt(CONNECTING)
    expect(fake.sockets).toEqual([socket])
    expect(socket.binaryType).toBe('arraybuffer')
    void client.send('now').catch(() => undefined)
    await vi.advanceTimersByTimeAsync(100)
    expect(socket.sent).toEqual([])
    socket.welcome({ room: 'general' }, 'conn-7')
    await expect(client.ready()).resolves.toEqual({ room: 'general' })
    expect(client.channelId).toBe('conn-7')
    expect(socket.framesFor('now')).toHaveLength(1)
  })

  it('takes a socket without readyState as CONNECTING', () => {
    const socket = new fake.WebSocket(URL_)
    const client = createClient(URL_, { socket, keepaliveMs: false })
    expect(socket.sent).toEqual([])
    socket.welcome()
    expect(client.state).toBe('open')
  })

  it('probes an OPEN socket with a ping; a welcome still to come opens it as usual', async () => {
    const { socket, client } = adopt(OPEN)
    expect(socket.sent).toEqual([PING])
    expect(client.state).toBe('connecting')
    socket.welcome({ room: 'general' }, 'conn-8')
    socket.pushText('{"type":"pong"}')
    await expect(client.ready()).resolves.toEqual({ room: 'general' })
    expect(client.channelId).toBe('conn-8')
  })

  it('opens an OPEN socket whose welcome went by unseen at the first other frame (the probe’s pong), without welcome data', async () => {
    const { socket, client, states } = adopt(OPEN)
    const now = client.send('now')
    client.subscribe('room:message', () => undefined)
    socket.pushText('{"type":"pong"}')
    expect(states).toEqual(['open'])
    await expect(client.ready()).resolves.toBeUndefined()
    expect(client.channelId).toBeUndefined()
    expect(socket.frames.map((frame) => frame.action)).toEqual(['$ping', '$subscribe', 'now'])
    socket.reply(socket.request('now'), { at: 5 })
    await expect(now).resolves.toEqual({ at: 5 })
  })

  it('reconnects with the adopted socket’s class to the same URL', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const { socket, states } = adopt(CONNECTING)
    socket.welcome()
    socket.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    expect(fake.sockets).toHaveLength(2)
    expect(fake.current.address).toBe(URL_)
    expect(fake.current.sent).toEqual([]) // a socket the client opened itself is not probed
    fake.current.welcome()
    expect(states).toEqual(['open', 'connecting', 'open'])
  })

  it('reconnects with options.WebSocket when given instead', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const other = fakeWebSocket()
    const { socket } = adopt(CONNECTING, { WebSocket: other.WebSocket })
    socket.welcome()
    socket.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    expect(fake.sockets).toEqual([socket])
    expect(other.sockets.map((s) => s.address)).toEqual([URL_])
  })

  it('reconnects with the global WebSocket when the adopted socket is a plain object (its constructor is Object)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    vi.stubGlobal('WebSocket', fake.WebSocket)
    const underneath = new (fakeWebSocket().WebSocket)(URL_)
    const plain: WebSocketLike = {
      binaryType: 'blob',
      send: (data) => underneath.send(data),
      close: (code, reason) => underneath.close(code, reason),
      addEventListener: (type: string, listener: (event: any) => void) => underneath.addEventListener(type, listener),
    }
    createClient(URL_, { socket: plain, keepaliveMs: false })
    underneath.welcome()
    underneath.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    expect(fake.sockets.map((s) => s.address)).toEqual([URL_])
  })

  it.each([CLOSING, CLOSED])('counts a socket in readyState %i as a dropped first connection: reconnects at once to the URL', async (readyState) => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const { client } = adopt(readyState)
    expect(client.lastClose).toEqual({ code: 1006, reason: 'The adopted socket was already closed' })
    await vi.advanceTimersByTimeAsync(0)
    expect(fake.sockets).toHaveLength(2)
    fake.current.welcome()
    expect(client.state).toBe('open')
  })

  it('with reconnect: false, a closed socket closes the client and rejects ready()', async () => {
    const { client } = adopt(CLOSED, { reconnect: false })
    expect(client.state).toBe('closed')
    await expect(client.ready()).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('close() closes the adopted socket with 1000', () => {
    const { socket, client } = adopt(OPEN)
    client.close()
    expect(socket.closedByClient).toEqual({ code: 1000, reason: '' })
  })
})
