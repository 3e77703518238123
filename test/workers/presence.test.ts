import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { constructions } from './fixture/worker'
import { eventually, instance, TestSocket } from './support/test-socket'

const room = () => `/lobby/p${crypto.randomUUID().slice(0, 8)}`

/** Opens a lobby connection, signed in as `user` if given. */
async function join(path: string, user?: string) {
  return TestSocket.join(user ? `${path}?user=${user}` : path)
}

/** Asks `$presence` and returns its reply's data. */
async function presence(socket: TestSocket, watch?: boolean) {
  const reply = await socket.call('$presence', watch === undefined ? undefined : { watch })
  expect(reply.type).toBe('reply')
  return reply.data
}

describe('presence on a Durable Object', () => {
  it('counts a user on two tabs as one member with two connections, who leaves with the last tab', async () => {
    const path = room()
    const watcher = await join(path, 'bob')
    await presence(watcher.socket)
    const tab1 = await join(path, 'ada')
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 2, joins: [{ id: 'ada', data: 'ada', connections: 1 }] })
    const tab2 = await join(path, 'ada')
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 2, updates: [{ id: 'ada', data: 'ada', connections: 2 }] })
    tab1.socket.ws.close(1000)
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 2, updates: [{ id: 'ada', data: 'ada', connections: 1 }] })
    tab2.socket.ws.close(1000)
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 1, leaves: ['ada'] })
  })

  it('is right after an eviction: rebuilt from the attachments, watchers still watching', async () => {
    const path = room()
    const watcher = await join(path, 'bob')
    await presence(watcher.socket)
    const ada1 = await join(path, 'ada')
    await join(path, 'ada')
    const anon = await join(path)
    await ada1.socket.call('status', { status: 'away' })
    // joins of ada, ada's second tab, anon, then ada's status
    for (let i = 0; i < 4; i++) await watcher.socket.next()

    const before = constructions.count
    await evictDurableObject(instance('lobby', path))
    const late = await join(path, 'cy')
    expect(constructions.count).toBe(before + 1)
    // The watcher is told of the first join after the wake without asking again.
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 4, joins: [{ id: 'cy', data: 'cy', connections: 1 }] })

    await evictDurableObject(instance('lobby', path))
    expect(await presence(late.socket, false)).toEqual({
      count: 4,
      members: expect.arrayContaining([
        { id: 'bob', data: 'bob', connections: 1 },
        { id: 'ada', data: { status: 'away' }, connections: 2 },
        { id: anon.welcome.channelId, data: anon.welcome.channelId, connections: 1 },
        { id: 'cy', data: 'cy', connections: 1 },
      ]),
    })
  })

  it('tells watchers of a close that is the first event after an eviction', async () => {
    const path = room()
    const watcher = await join(path, 'bob')
    await presence(watcher.socket)
    const ada = await join(path, 'ada')
    await watcher.socket.next()
    await evictDurableObject(instance('lobby', path))
    ada.socket.ws.close(1000)
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 1, leaves: ['ada'] })
  })

  it('costs each watcher at most one frame per join in a burst, each of one member', async () => {
    const path = room().replace('/lobby/', '/lobby-wide/')
    const watchers = []
    for (const user of ['w1', 'w2']) {
      const w = await join(path, user)
      await presence(w.socket)
      watchers.push(w)
    }
    const N = 30
    await Promise.all(Array.from({ length: N }, (_, i) => join(path, `u${i}`)))
    for (const w of watchers) {
      await eventually(() => (w.socket.frames.filter((f: any) => f.type === 'presence').at(-1) as any)?.count === N + 2)
      const frames = w.socket.frames.filter((f: any) => f.type === 'presence' && f.count > 2) as any[]
      expect(frames.length).toBeLessThanOrEqual(N)
      expect(frames.flatMap((f) => f.joins ?? []).length).toBe(N)
      expect(frames.every((f) => f.members === undefined && (f.joins?.length ?? 0) >= 1)).toBe(true)
    }
  })

  it('lets a socket that went silent without a close leave when the liveness alarm closes it, after an eviction', async () => {
    const path = room().replace('/lobby/', '/lobby-pulse/')
    const watcher = await join(path, 'bob')
    await presence(watcher.socket)
    const ada = await join(path, 'ada') // then never heard from again
    await watcher.socket.next()
    await evictDurableObject(instance('lobbyPulse', path))
    for (let i = 0; i < 5; i++) {
      watcher.socket.send('{"action":"$ping"}') // answered by the platform: the watcher stays alive
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await runDurableObjectAlarm(instance('lobbyPulse', path))).toBe(true)
    expect((await ada.socket.closeInfo()).code).toBe(4408)
    const last = () => (watcher.socket.frames.filter((f: any) => f.type === 'presence') as any[]).at(-1)
    await eventually(() => last().count === 1)
    expect(last()).toEqual({ type: 'presence', count: 1, leaves: ['ada'] })
  })

  it('switches watchers to a count and a sample above the room threshold', async () => {
    const path = room()
    const watcher = await join(path, 'w')
    await presence(watcher.socket)
    for (const user of ['a', 'b', 'c']) await join(path, user)
    for (let i = 0; i < 3; i++) await watcher.socket.next()
    await join(path, 'd')
    expect(await watcher.socket.next()).toEqual({
      type: 'presence',
      count: 5,
      members: [
        { id: 'w', data: 'w', connections: 1 },
        { id: 'a', data: 'a', connections: 1 },
      ],
      sampled: true,
    })
    await join(path, 'e')
    expect(await watcher.socket.next()).toEqual({ type: 'presence', count: 6, sampled: true })
  })
})
