import { env } from 'cloudflare:workers'
import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instanceName, shardName } from '../../src/cloudflare/addressing'
import { publisher } from '../../src/index'
import type { PresenceReply } from '../../src/core/protocol/frames'
import { shardOf } from '../../src/core/shards/placement'
import { arenaChannel } from './fixture/arena.channel'
import { coordinator, request, TestSocket, eventually } from './support/test-socket'

const SHARDS = 4
const arena = () => crypto.randomUUID().slice(0, 8)
const path = (room: string) => `/arena/${room}`

/** Users the router places on each shard (placement hashes the upgrade session's userId). */
const usersOn = (shard: number, count = 1, prefix = 'u'): string[] => {
  const users: string[] = []
  for (let i = 0; users.length < count; i++) if (shardOf(`user:${prefix}${i}`, SHARDS) === shard) users.push(`${prefix}${i}`)
  return users
}

/** The object of one shard of a room. */
const shard = (room: string, index: number) => env.CHANNELS.getByName(shardName(instanceName('arena', path(room)), index))

/** One shard's own members, as it answers the others. */
const presenceOf = async (room: string, index: number) => (await shard(room, index).shardPresence('arena')) as unknown as PresenceReply

async function join(room: string, user: string) {
  return TestSocket.join(`${path(room)}?user=${user}`)
}

/** Subscribes and returns the reply's data. */
async function subscribe(socket: TestSocket, topic: string, since?: number) {
  const reply = await socket.call('$subscribe', since === undefined ? { topic } : { topic, since })
  expect(reply.type).toBe('reply')
  return reply.data
}

/** Two subscribers on every shard, to `topic`. */
async function subscribersEverywhere(room: string, topic: string) {
  const sockets: TestSocket[] = []
  for (let s = 0; s < SHARDS; s++) {
    for (const user of usersOn(s, 2, `sub${topic.replace(/\W/g, '')}`)) {
      const { socket } = await join(room, user)
      await subscribe(socket, topic)
      sockets.push(socket)
    }
  }
  return sockets
}

/** Waits until each socket has `count` events and returns them. */
async function eventsOf(sockets: TestSocket[], count: number) {
  const events = (socket: TestSocket) => socket.frames.filter((f: any) => f.type === 'event') as any[]
  await eventually(() => sockets.every((socket) => events(socket).length >= count))
  return sockets.map(events)
}

/** Every subscriber got exactly `ns`, in order, with rising sequence numbers. */
function expectOnceInOrder(perSocket: any[][], ns: number[]) {
  for (const events of perSocket) {
    expect(events.map((e) => e.data.n)).toEqual(ns)
    const seqs = events.map((e) => e.seq)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    expect(new Set(seqs).size).toBe(seqs.length)
  }
}

describe('a channel wired with shards: 4', () => {
  it('places connections on the shard their user hashes to, and one user always on the same one', async () => {
    const room = arena()
    for (let s = 0; s < SHARDS; s++) await join(room, usersOn(s)[0]!)
    await join(room, usersOn(2)[0]!) // the same user again: the same shard
    const counts = await Promise.all(Array.from({ length: SHARDS }, (_, s) => presenceOf(room, s)))
    expect(counts.map((reply) => reply?.count)).toEqual([1, 1, 1, 1])
    expect(counts[2]!.members[0]!.connections).toBe(2)
  })

  it("delivers a handler's publish on any shard to every shard's subscribers once, in the publisher's order", async () => {
    const room = arena()
    const subscribers = await subscribersEverywhere(room, 'score')
    const { socket: publisherSocket } = await join(room, usersOn(2, 1, 'pub')[0]!)
    await subscribe(publisherSocket, 'score')
    const ns = Array.from({ length: 20 }, (_, i) => i + 1)
    const replies = await Promise.all(ns.map((n) => publisherSocket.call('shout', { topic: 'score', n, skipSender: true })))
    // Every subscriber on every shard, not the sender.
    expect(replies.map((r) => r.data.delivered)).toEqual(ns.map(() => subscribers.length))
    expectOnceInOrder(await eventsOf(subscribers, ns.length), ns)
    await publisherSocket.expectSilence(50)
    expect(publisherSocket.frames.filter((f: any) => f.type === 'event')).toEqual([])
    // One sequence for the instance: the owner's.
    const seqs = (await eventsOf(subscribers, ns.length)).map((events) => events.map((e) => e.seq))
    expect(new Set(seqs.map((s) => s.join()))).toEqual(new Set([seqs[0]!.join()]))
  })

  it('delivers a publish from outside (publisher(env) and the publish route) to every shard', async () => {
    const room = arena()
    const subscribers = await subscribersEverywhere(room, 'score')
    const channels = publisher(env as unknown as Record<string, unknown>)
    for (const n of [1, 2, 3]) expect((await channels.publish(arenaChannel, { room }, 'score', { n })).delivered).toBe(subscribers.length)
    const response = await request('/_publish', {
      method: 'POST',
      headers: { authorization: `Bearer ${(env as unknown as Record<string, string>).PUBLISH_SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'arena', params: { room }, topic: 'score', data: { n: 4 } }),
    })
    expect(response.status).toBe(200)
    expectOnceInOrder(await eventsOf(subscribers, 4), [1, 2, 3, 4])
  })

  it('takes part in a global topic as one instance: registered through the owner, every shard served once', async () => {
    const room = arena()
    const subscribers = await subscribersEverywhere(room, 'headlines')
    await eventually(async () => (await coordinator('arena', 'headlines').topicInstances()).includes(instanceName('arena', path(room))))
    expect((await coordinator('arena', 'headlines').topicInstances()).filter((i: string) => i.includes(room))).toEqual([instanceName('arena', path(room))])
    const { socket } = await join(room, usersOn(3, 1, 'head')[0]!)
    for (const n of [1, 2]) expect((await socket.call('headline', { n })).type).toBe('reply')
    await publisher(env as unknown as Record<string, unknown>).broadcast(arenaChannel, 'headlines', { n: 3 })
    expectOnceInOrder(await eventsOf(subscribers, 3), [1, 2, 3])
    // The last subscriber on every shard leaves: the instance leaves the coordinator.
    for (const s of subscribers) s.ws.close(1000)
    await eventually(async () => !(await coordinator('arena', 'headlines').topicInstances()).includes(instanceName('arena', path(room))))
  })

  it("replays from the owner's log on a reconnect to another shard, after that shard was evicted, without duplicates", async () => {
    const room = arena()
    const user = usersOn(3, 1, 'replay')[0]!
    const first = await join(room, user)
    const { seq: start } = await subscribe(first.socket, 'score')
    const { socket: pub } = await join(room, usersOn(1, 1, 'replaypub')[0]!)
    for (const n of [1, 2, 3, 4, 5]) await pub.call('shout', { topic: 'score', n })
    const seen = (await eventsOf([first.socket], 2))[0]!.slice(0, 2)
    first.socket.ws.close(1000)
    await evictDurableObject(shard(room, 3))

    const again = await join(room, user)
    const reply = await subscribe(again.socket, 'score', seen[1].seq)
    expect(reply).toMatchObject({ topic: 'score', replayed: 3 })
    const replayed = again.socket.frames.filter((f: any) => f.type === 'event') as any[]
    expect(replayed.map((e) => e.data.n)).toEqual([3, 4, 5])
    expect(reply.seq).toBe(replayed.at(-1).seq)
    expect(seen[0].seq).toBeGreaterThan(start)
    // Live again, from the owner, above the replay.
    await pub.call('shout', { topic: 'score', n: 6 })
    await eventsOf([again.socket], 4)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await eventsOf([again.socket], 4))[0]!.map((e) => e.data.n)).toEqual([3, 4, 5, 6])
  })

  it("answers a subscribe without since with the owner's head, after an eviction too", async () => {
    const room = arena()
    const { socket: pub } = await join(room, usersOn(0, 1, 'headpub')[0]!)
    const { data } = await pub.call('shout', { topic: 'score', n: 1 })
    await evictDurableObject(shard(room, 2))
    const { socket } = await join(room, usersOn(2, 1, 'headsub')[0]!)
    expect((await subscribe(socket, 'score')).seq).toBe(data.seq)
  })

  it('answers $presence with the merged room', async () => {
    const room = arena()
    const users = [0, 1, 2, 3].map((s) => usersOn(s, 1, 'p')[0]!)
    const sockets = []
    for (const user of users) sockets.push((await join(room, user)).socket)
    await join(room, users[1]!) // a second tab: one member, two connections
    const reply = await sockets[2]!.call('$presence', { watch: false })
    expect(reply.data).toEqual({ count: 4, members: expect.arrayContaining(users.map((id, i) => ({ id, data: id, connections: i === 1 ? 2 : 1 }))) })
    const everyone = await Promise.all([0, 1, 2, 3].map((s) => presenceOf(room, s)))
    expect(everyone.flatMap((r) => r!.members.map((m) => m.id)).sort()).toEqual([...users].sort())
  })

  it('runs invokeOnOwner on the owner with its storage; invoke stays on the shard', async () => {
    const room = arena()
    const sockets = []
    for (const s of [1, 2, 3]) sockets.push((await join(room, usersOn(s, 1, 'own')[0]!)).socket)
    const runs = []
    for (const socket of sockets) runs.push((await socket.call('tallyOnOwner', {})).data)
    expect(runs.map((r) => r.runs)).toEqual([1, 2, 3])
    expect(runs[0].by).toBe(usersOn(1, 1, 'own')[0])
    // The owner's publish reached every shard.
    await subscribe(sockets[0]!, 'score')
    await sockets[1]!.call('tallyOnOwner', {})
    expect((await eventsOf([sockets[0]!], 1))[0]![0].data).toEqual({ runs: 4 })
    // Shard 1's own storage is its own.
    expect((await sockets[0]!.call('tallyHere')).data.runs).toBe(1)
    // A ChannelError thrown on the owner keeps its code; sending to the caller from there is refused (INTERNAL, logged).
    expect((await sockets[0]!.call('tallyOnOwner', { refuse: true })).error).toMatchObject({ code: 'FORBIDDEN', message: 'Refused on the owner' })
    expect((await sockets[0]!.call('sendFromOwner')).error.code).toBe('INTERNAL')
  })

  it('keeps delivering to every shard after the owner and a shard were evicted', async () => {
    const room = arena()
    const subscribers = await subscribersEverywhere(room, 'cheer:*')
    await evictDurableObject(shard(room, 0))
    await evictDurableObject(shard(room, 1))
    const { socket } = await join(room, usersOn(1, 1, 'cheerpub')[0]!)
    for (const n of [1, 2, 3]) await socket.call('shout', { topic: 'cheer:loud', n })
    expectOnceInOrder(await eventsOf(subscribers, 3), [1, 2, 3])
  })

  it('moves the clients of every shard', async () => {
    const room = arena()
    const sockets = []
    for (let s = 0; s < SHARDS; s++) sockets.push((await join(room, usersOn(s, 1, 'mv')[0]!)).socket)
    expect(await publisher(env as unknown as Record<string, unknown>).move(arenaChannel, { room })).toEqual({ moved: 4 })
    for (const socket of sockets) expect((await socket.closeInfo()).code).toBe(4503)
  })
})

describe('shards: 1', () => {
  it("is today's single object, named as before", async () => {
    const room = arena()
    const { socket } = await TestSocket.join(`/arena-solo/${room}`)
    await subscribe(socket, 'score')
    const stub = env.CHANNELS.getByName(instanceName('arenaSolo', `/arena-solo/${room}`))
    const outcome = await stub.publish('arenaSolo', 'score', { n: 1 }, { instance: instanceName('arenaSolo', `/arena-solo/${room}`), binding: 'CHANNELS' })
    expect(outcome).toEqual({ result: { seq: expect.any(Number), delivered: 1 } })
    expect((await socket.next()) as any).toMatchObject({ type: 'event', topic: 'score', data: { n: 1 } })
  })
})
