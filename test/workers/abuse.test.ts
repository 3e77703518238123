import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, request, TestSocket } from './support/test-socket'

const room = () => `a${crypto.randomUUID().slice(0, 8)}`
const upgrade = { Upgrade: 'websocket' }

/** A connection that keeps behaving, to prove its neighbours' abuse does not reach it. */
async function wellBehaved(path: string) {
  const { socket } = await TestSocket.join(path, { Authorization: 'Bearer ada-token' })
  return {
    socket,
    async stillWorks() {
      expect((await socket.call('me')).data.userId).toBe('ada')
    },
  }
}

describe('origin allow-list', () => {
  it('accepts an allowed origin and requests without one', async () => {
    await TestSocket.join(`/vault/${room()}`, { Origin: 'https://good.example' })
    await TestSocket.join(`/vault/${room()}`)
  })

  it('refuses another origin with 403 before accepting', async () => {
    const response = await request(`/vault/${room()}`, { headers: { ...upgrade, Origin: 'https://evil.example' } })
    expect(response.status).toBe(403)
    expect(response.webSocket).toBeNull()
    expect(await response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Origin https://evil.example may not open this channel' } })
  })
})

describe('frame size', () => {
  it('the router’s limit applies to channels without their own; a neighbour is unaffected', async () => {
    const path = `/vault/${room()}`
    const good = await wellBehaved(path)
    const { socket } = await TestSocket.join(path)
    socket.send({ action: 'public', data: 'x'.repeat(5000) })
    expect(await socket.next()).toEqual({ type: 'error', error: { code: 'TOO_LARGE', message: "Frame is larger than this channel's limit of 4096 bytes" } })
    expect((await socket.call('public')).data).toEqual({ ok: 'public' })
    await good.stillWorks()
  })
})

describe('message flood', () => {
  it('gets RATE_LIMITED errors it can correlate, then close 4429; a neighbour keeps working', async () => {
    const path = `/flood/${room()}`
    const { socket: good } = await TestSocket.join(path)
    const { socket } = await TestSocket.join(path)
    for (let i = 0; i < 20; i++) socket.send({ action: 'hit', id: i })
    expect(await socket.closeInfo()).toEqual({ code: 4429, reason: 'Rate limited' })
    const replies = socket.frames.filter((f: any) => f.type === 'reply').map((f: any) => f.id)
    const limited = socket.frames.filter((f: any) => f.type === 'error')
    expect(replies).toEqual([0, 1, 2, 3, 4]) // the burst
    expect(limited).toEqual([5, 6, 7].map((id) => ({ type: 'error', action: 'hit', id, error: { code: 'RATE_LIMITED', message: 'Too many messages; slow down' } })))
    expect((await good.call('hit')).data).toEqual({ ok: true })
  })

  it('a connection that slows down is served again', async () => {
    const { socket } = await TestSocket.join(`/flood/${room()}`)
    for (let i = 0; i < 6; i++) socket.send({ action: 'hit', id: i })
    await new Promise((resolve) => setTimeout(resolve, 600)) // two per second: a token is back
    expect((await socket.call('hit', undefined, 'later')).data).toEqual({ ok: true })
  })
})

describe('connections per instance', () => {
  it('refuses the one past the maximum with 503, takes it once a place frees, and the others carry on', async () => {
    const path = `/vault/${room()}`
    const good = await wellBehaved(path)
    const second = await TestSocket.join(path)
    const third = await TestSocket.join(path)

    const refused = await request(path, { headers: upgrade })
    expect(refused.status).toBe(503)
    expect(await refused.json()).toEqual({ error: { code: 'CHANNEL_FULL', message: 'This channel instance holds its maximum of 3 connections' } })
    await good.stillWorks()
    expect((await second.socket.call('public')).data).toEqual({ ok: 'public' })

    third.socket.ws.close(1000)
    await third.socket.closeInfo()
    await TestSocket.join(path)
    await good.stillWorks()
  })
})

describe('every frame counts against the rate limit', () => {
  // 400 frames at once, each refused for a reason of its own: the limit must
  // count them all and close the abuser, and its neighbour must not wait on it.
  const abuses: [string, () => string | Uint8Array][] = [
    ['frames too large', () => JSON.stringify({ action: 'hit', data: 'x'.repeat(5000) })],
    ['frames that are not JSON', () => '{not json'],
    ['unknown actions', () => JSON.stringify({ action: 'nope' })],
    ['binary frames to a text channel', () => new Uint8Array(64)],
  ]

  it.each(abuses)('%s end in RATE_LIMITED, then close 4429, while a neighbour stays fast', async (_kind, frame) => {
    const path = `/flood/${room()}`
    const { socket: good } = await TestSocket.join(path)
    const quiet = await roundTrip(good, 'before')
    const { socket } = await TestSocket.join(path)
    for (let i = 0; i < 400; i++) socket.send(frame())
    const during = await roundTrip(good, 'during')
    expect(await socket.closeInfo()).toEqual({ code: 4429, reason: 'Rate limited' })
    const codes = socket.frames.slice(1).map((f: any) => f.error?.code) // after the welcome
    expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']) // the burst of 5 had its own answers
    expect(codes.slice(0, 5)).not.toContain('RATE_LIMITED')
    // Generous, since the machine is shared; without the limit the neighbour queued behind 400 frames.
    expect(during).toBeLessThan(Math.max(250, quiet * 20))
    good.ws.close(1000)
    await good.closeInfo()
  })
})

/** How long the neighbour waits for one reply, in ms. */
async function roundTrip(socket: TestSocket, id: string): Promise<number> {
  const started = performance.now()
  expect((await socket.call('hit', undefined, id)).data).toEqual({ ok: true })
  return performance.now() - started
}

describe('subscriptions per connection', () => {
  it('stops a connection at 256 distinct topics with LIMIT_REACHED, keeps it working, and still counts after eviction', async () => {
    const path = `/news/${room()}`
    const { socket } = await TestSocket.join(path)
    const answers = []
    for (let i = 0; i < 300; i++) answers.push(socket.call('$subscribe', { topic: `alerts:t${i}` }))
    const settled = await Promise.all(answers)
    const refused = settled.filter((frame) => frame.type === 'error')
    expect(settled.filter((frame) => frame.type === 'reply')).toHaveLength(256)
    expect(refused).toHaveLength(44)
    expect(refused[0]!.error).toEqual({
      code: 'LIMIT_REACHED',
      message: "This connection holds its maximum of 256 subscriptions (the channel's maxSubscriptions); unsubscribe from one first, or subscribe to a pattern",
    })
    const rows = () => runInDurableObject(instance('news', path), (_o, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pikku_subscriptions').one().n)
    expect(await rows()).toBe(256)

    await evictDurableObject(instance('news', path))
    expect((await socket.call('$subscribe', { topic: 'alerts:more' })).error.code).toBe('LIMIT_REACHED')
    expect((await socket.call('$subscribe', { topic: 'alerts:t0' })).type).toBe('reply') // one it holds
    expect((await socket.call('$unsubscribe', { topic: 'alerts:t1' })).type).toBe('reply')
    expect((await socket.call('$subscribe', { topic: 'alerts:more' })).type).toBe('reply')
    expect(await rows()).toBe(256)
  })
})
