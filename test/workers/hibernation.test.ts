import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { PING_FRAME } from '../../src/core/protocol/actions'
import { readLifecycle } from './fixture/lifecycle-log'
import { servicesBuilt } from './fixture/services'
import { constructions } from './fixture/worker'
import { eventually, instance, TestSocket } from './support/test-socket'

const room = () => `h${crypto.randomUUID().slice(0, 8)}`

/** Evicts the object and checks it really was torn down: its next event constructs it again. */
async function evict(channel: string, path: string) {
  await evictDurableObject(instance(channel, path))
}

describe('after eviction, every durable fact of a connection is intact', () => {
  it('channel id, opening data (params and query), state and session', async () => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}?lang=fr&empty=`)
    await socket.next() // onConnect's early message
    expect((await socket.call('login', { user: 'ada' })).data).toEqual({ ok: true })

    const before = constructions.count
    await evict('lab', `/lab/${r}`)
    const who = await socket.call('whoami')
    expect(constructions.count).toBe(before + 1)
    expect(who.data).toEqual({
      channelId: welcome.channelId,
      openingData: { room: r, lang: 'fr', empty: '' },
      state: 'open',
      session: { user: 'ada' },
    })
  })

  it('a session set after a wake survives the next eviction, and so does clearing it', async () => {
    const r = room()
    const { socket } = await TestSocket.join(`/lab/${r}`)
    await evict('lab', `/lab/${r}`)
    await socket.call('login', { user: 'grace' })
    await evict('lab', `/lab/${r}`)
    expect((await socket.call('secret')).data).toEqual({ user: { user: 'grace' } })
    await socket.call('logout')
    await evict('lab', `/lab/${r}`)
    expect((await socket.call('secret')).error.code).toBe('UNAUTHENTICATED')
  })

  it('several connections keep their own records', async () => {
    const r = room()
    const a = await TestSocket.join(`/lab/${r}?who=a`)
    const b = await TestSocket.join(`/lab/${r}?who=b`)
    await a.socket.call('login', { user: 'a' })
    await evict('lab', `/lab/${r}`)
    const [whoA, whoB] = await Promise.all([a.socket.call('whoami'), b.socket.call('whoami')])
    expect(whoA.data).toMatchObject({ channelId: a.welcome.channelId, openingData: { who: 'a' }, session: { user: 'a' } })
    expect(whoB.data).toMatchObject({ channelId: b.welcome.channelId, openingData: { who: 'b' }, session: null })
  })
})

describe('onDisconnect still runs exactly once after eviction', () => {
  it('when the client closes a hibernated connection', async () => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}`)
    await evict('lab', `/lab/${r}`)
    socket.ws.close(1000, 'leaving')
    expect(await socket.closeInfo()).toEqual({ code: 1000, reason: 'leaving' })
    const path = `/lab/${r}`
    await eventually(async () => (await runInDurableObject(instance('lab', path), (_o, s) => readLifecycle(s.storage.sql))).length === 2)
    expect(await runInDurableObject(instance('lab', path), (_o, s) => readLifecycle(s.storage.sql))).toEqual([
      { kind: 'connect', channelId: welcome.channelId },
      { kind: 'disconnect', channelId: welcome.channelId },
    ])
  })

  it('when the server closes after a wake, and a later close event does not repeat it', async () => {
    const r = room()
    const path = `/lab/${r}`
    const { socket, welcome } = await TestSocket.join(path)
    await evict('lab', path)
    socket.send({ action: 'kick', data: { code: 4003, reason: 'later' } })
    expect(await socket.closeInfo()).toEqual({ code: 4003, reason: 'later' })
    await evict('lab', path).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const events = await runInDurableObject(instance('lab', path), (_o, s) => readLifecycle(s.storage.sql))
    expect(events.filter((e) => e.kind === 'disconnect')).toEqual([{ kind: 'disconnect', channelId: welcome.channelId }])
  })
})

describe('a close that arrives after a wake', () => {
  it('does not run onDisconnect again for a connection the previous instance closed', async () => {
    const path = `/lab/${room()}`
    const { welcome } = await TestSocket.join(path)
    const events = await runInDurableObject(instance('lab', path), async (object, state) => {
      const [ws] = state.getWebSockets()
      await object.webSocketMessage(ws!, JSON.stringify({ action: 'kick', data: { code: 4000, reason: 'x' } }))
      // The peer's close frame reaches a woken instance, which knows the socket only by its attachment.
      const Woken = object.constructor as new (state: DurableObjectState, env: unknown) => typeof object
      await new Woken(state, env).webSocketClose(ws!, 4000, 'x')
      return readLifecycle(state.storage.sql)
    })
    expect(events).toEqual([
      { kind: 'connect', channelId: welcome.channelId },
      { kind: 'disconnect', channelId: welcome.channelId },
    ])
  })
})

describe('keepalive', () => {
  it('is answered without waking a hibernated object', async () => {
    const r = room()
    const path = `/lab/${r}`
    const { socket } = await TestSocket.join(path)
    await socket.next()
    await evict('lab', path)
    const constructed = constructions.count
    const built = servicesBuilt.count

    socket.send(PING_FRAME)
    expect(await socket.next()).toEqual({ type: 'pong' })
    expect(constructions.count).toBe(constructed)
    expect(servicesBuilt.count).toBe(built)

    // A real message does wake it.
    expect((await socket.call('echo', { x: 1 })).data).toEqual({ x: 1 })
    expect(constructions.count).toBe(constructed + 1)
  })
})
