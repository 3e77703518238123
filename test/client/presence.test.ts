import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../../src/client/channel-client'
import type { ChannelClientError } from '../../src/client/client-error'
import type { PresenceChange, PresenceView } from '../../src/client/presence'
import { fakeWebSocket } from './support/fake-websocket'
import type { presenceFixtureChannel } from './support/fixture.channel'

const URL_ = 'wss://host/client-test-presence/general'
const ada = { id: 'ada', data: { name: 'ada' }, connections: 1 }
const bob = { id: 'bob', data: { name: 'bob' }, connections: 1 }
const cy = { id: 'cy', data: { name: 'cy' }, connections: 1 }

let fake: ReturnType<typeof fakeWebSocket>

beforeEach(() => {
  vi.useFakeTimers()
  fake = fakeWebSocket()
  vi.stubGlobal('fetch', undefined)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/** An open client whose presence listener records every call. */
async function watching() {
  const client = createClient<typeof presenceFixtureChannel>(URL_, { WebSocket: fake.WebSocket, keepaliveMs: false })
  const socket = fake.current
  socket.welcome()
  const calls: { view: PresenceView<{ name: string }>; change: PresenceChange<{ name: string }> }[] = []
  const errors: ChannelClientError[] = []
  const stop = client.onPresence(
    (view, change) => calls.push({ view, change }),
    (error) => errors.push(error),
  )
  return { client, socket, calls, errors, stop }
}

describe('client.presence()', () => {
  it('asks once without watching when nobody listens, and resolves with who is here', async () => {
    const client = createClient<typeof presenceFixtureChannel>(URL_, { WebSocket: fake.WebSocket, keepaliveMs: false })
    const socket = fake.current
    socket.welcome()
    const asked = client.presence()
    expect(socket.request('$presence').data).toEqual({ watch: false })
    socket.reply(socket.request('$presence'), { count: 2, members: [ada, bob] })
    expect(await asked).toEqual({ count: 2, members: [ada, bob], sampled: false })
  })
})

describe('client.onPresence()', () => {
  it('starts watching, then applies joins, updates and leaves as they come', async () => {
    const { socket, calls } = await watching()
    expect(socket.request('$presence').data).toEqual({ watch: true })
    socket.reply(socket.request('$presence'), { count: 1, members: [ada] })
    await settle()
    expect(calls.at(-1)!.change).toEqual({ joins: [ada], updates: [], leaves: [] })
    socket.push({ type: 'presence', count: 2, joins: [bob] })
    socket.push({ type: 'presence', count: 2, updates: [{ ...ada, connections: 2 }] })
    socket.push({ type: 'presence', count: 1, leaves: ['bob'] })
    expect(calls.map((c) => c.change)).toEqual([
      { joins: [ada], updates: [], leaves: [] },
      { joins: [bob], updates: [], leaves: [] },
      { joins: [], updates: [{ ...ada, connections: 2 }], leaves: [] },
      { joins: [], updates: [], leaves: ['bob'] },
    ])
    expect(calls.at(-1)!.view).toEqual({ count: 1, members: [{ ...ada, connections: 2 }], sampled: false })
  })

  it('waits for the welcome when it starts listening before the connection is open', async () => {
    const client = createClient<typeof presenceFixtureChannel>(URL_, { WebSocket: fake.WebSocket, keepaliveMs: false })
    const socket = fake.current
    const seen: number[] = []
    client.onPresence((view) => seen.push(view.count))
    expect(socket.framesFor('$presence')).toEqual([])
    socket.welcome()
    socket.reply(socket.request('$presence'), { count: 3, members: [ada, bob, cy] })
    await settle()
    expect(seen).toEqual([3])
  })

  it('holds frames that overtake the answer and applies them after it, once', async () => {
    const { socket, calls } = await watching()
    socket.push({ type: 'presence', count: 2, joins: [bob] })
    socket.push({ type: 'presence', count: 1, leaves: ['ada'] })
    expect(calls).toEqual([])
    socket.reply(socket.request('$presence'), { count: 2, members: [ada, bob] })
    await settle()
    expect(calls.at(-1)!.view).toEqual({ count: 1, members: [bob], sampled: false })
    expect(calls.map((c) => c.change)).toEqual([
      { joins: [ada, bob], updates: [], leaves: [] },
      { joins: [], updates: [], leaves: ['ada'] },
    ])
  })

  it('asks again after a reconnect, and tells the listener what changed meanwhile', async () => {
    const { socket, calls } = await watching()
    socket.reply(socket.request('$presence'), { count: 2, members: [ada, bob] })
    await settle()
    vi.spyOn(Math, 'random').mockReturnValue(0)
    socket.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    const next = fake.current
    expect(next).not.toBe(socket)
    next.welcome()
    expect(next.request('$presence').data).toEqual({ watch: true })
    next.reply(next.request('$presence'), { count: 2, members: [ada, cy] })
    await settle()
    expect(calls.at(-1)!.change).toEqual({ joins: [cy], updates: [], leaves: ['bob'] })
  })

  it('shows a large room as its count and the sample', async () => {
    const { socket, calls } = await watching()
    socket.reply(socket.request('$presence'), { count: 150, members: [ada, bob], sampled: true })
    await settle()
    socket.push({ type: 'presence', count: 151, sampled: true })
    expect(calls.at(-1)!.view).toEqual({ count: 151, members: [ada, bob], sampled: true })
    socket.push({ type: 'presence', count: 150, members: [bob, cy], sampled: true })
    expect(calls.at(-1)!.change).toEqual({ joins: [cy], updates: [], leaves: ['ada'] })
  })

  it('stops watching when the last listener goes', async () => {
    const { socket, stop } = await watching()
    socket.reply(socket.request('$presence'), { count: 0, members: [] })
    await settle()
    stop()
    expect(socket.request('$presence').data).toEqual({ watch: false })
  })

  it('reports a refused $presence to onError', async () => {
    const { socket, errors } = await watching()
    socket.error(socket.request('$presence'), 'UNKNOWN_ACTION', 'Channel "x" has no presence; wire it with presence: true')
    await settle()
    expect(errors.map((e) => e.code)).toEqual(['UNKNOWN_ACTION'])
  })
})
