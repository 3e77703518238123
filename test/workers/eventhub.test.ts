import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { logs } from './fixture/services'
import { coordinator as coordinatorOf, eventually, instance, request, TestSocket } from './support/test-socket'

const room = () => `n${crypto.randomUUID().slice(0, 8)}`
const SECRET = 'test-publish-secret-0123456789'

async function join(path: string, headers: Record<string, string> = {}) {
  return (await TestSocket.join(path, headers)).socket
}

/** Subscribers' rows in the instance's SQLite index. */
function subscriptionRows(path: string) {
  return runInDurableObject(instance('news', path), (_o, state) =>
    state.storage.sql.exec<{ topic: string; channel_id: string }>('SELECT topic, channel_id FROM pikku_subscriptions ORDER BY topic').toArray(),
  )
}

describe('subscribe and publish within an instance', () => {
  it('survive eviction: subscribe -> evict -> publish -> delivered, with seq continuing', async () => {
    const path = `/news/${room()}`
    const listener = await join(path)
    const speaker = await join(path)
    await listener.call('sub', { topic: 'chat:message' })

    await speaker.call('pub', { topic: 'chat:message', data: { text: 'before' } })
    const before = await listener.next()
    expect(before).toEqual({ type: 'event', topic: 'chat:message', data: { text: 'before' }, seq: expect.any(Number) })

    await evictDurableObject(instance('news', path))
    const published = await speaker.call('pub', { topic: 'chat:message', data: { text: 'after' } })
    const after = await listener.next()
    expect(after).toMatchObject({ type: 'event', topic: 'chat:message', data: { text: 'after' } })
    expect((after as any).seq).toBeGreaterThan((before as any).seq)
    expect(published.data).toEqual({ seq: (after as any).seq, delivered: 1 })
  })

  it('delivers to the sender too, unless it asks to be skipped', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    const b = await join(path)
    await a.call('sub', { topic: 'alerts:fire' })
    await b.call('sub', { topic: 'alerts:fire' })
    expect((await a.call('pub', { topic: 'alerts:fire', data: 1 })).data.delivered).toBe(2)
    expect((await a.next()) as any).toMatchObject({ type: 'event', data: 1 })
    expect((await a.call('pub', { topic: 'alerts:fire', data: 2, skipSender: true })).data.delivered).toBe(1)
    await a.expectSilence()
    expect((await b.next()) as any).toMatchObject({ data: 1 })
    expect((await b.next()) as any).toMatchObject({ data: 2 })
  })

  it('subscribes through patterns, and stops after unsubscribe', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    await a.call('sub', { topic: 'alerts:*' })
    await a.call('pub', { topic: 'alerts:flood', data: 'w' })
    expect(await a.next()).toMatchObject({ topic: 'alerts:flood', data: 'w' })
    await a.call('unsub', { topic: 'alerts:*' })
    expect((await a.call('pub', { topic: 'alerts:flood', data: 'x' })).data.delivered).toBe(0)
    await a.expectSilence()
  })

  it('cleans up on close: no delivery attempts to closed sockets, and the index shrinks', async () => {
    const path = `/news/${room()}`
    const stays = await join(path)
    const leaves = await join(path)
    await stays.call('sub', { topic: 'alerts:x' })
    await leaves.call('sub', { topic: 'alerts:x' })
    await leaves.call('sub', { topic: 'chat:message' })
    expect(await subscriptionRows(path)).toHaveLength(3)
    leaves.ws.close(1000)
    await leaves.closeInfo()
    await eventually(async () => (await subscriptionRows(path)).length === 1)
    expect((await stays.call('pub', { topic: 'alerts:x', data: 0 })).data.delivered).toBe(1)
  })

  it('lets a handler subscribe another connection of the instance by channel id', async () => {
    const path = `/news/${room()}`
    const { socket: target, welcome } = await TestSocket.join(path)
    const admin = await join(path)
    await admin.call('subOther', { topic: 'alerts:ops', channelId: welcome.channelId })
    await admin.call('pub', { topic: 'alerts:ops', data: 'for you' })
    expect(await target.next()).toMatchObject({ topic: 'alerts:ops', data: 'for you' })
    expect((await admin.call('subOther', { topic: 'alerts:ops', channelId: 'nobody' })).error).toEqual({
      code: 'INVALID_INPUT',
      message: 'eventHub.subscribe: no open connection "nobody" in this channel instance',
    })
  })

  it('carries binary payloads: a header frame, then the bytes', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    await a.call('sub', { topic: 'alerts:bin' })
    await a.call('pubBytes', { topic: 'alerts:bin', bytes: [9, 8, 7] }, 'b')
    expect(await a.next()).toEqual({ type: 'event', topic: 'alerts:bin', seq: expect.any(Number), binary: true })
    expect(await a.next()).toEqual(new Uint8Array([9, 8, 7]))
  })

  it('passes deliveries through channel middleware (drop and fan-out)', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    await a.call('sub', { topic: 'alerts:mw' })
    await a.call('pub', { topic: 'alerts:mw', data: { secret: true } })
    await a.call('pub', { topic: 'alerts:mw', data: { twice: true } })
    expect(await a.next()).toMatchObject({ type: 'event', topic: 'alerts:mw', data: { twice: true } })
    expect(await a.next()).toEqual({ type: 'message', data: { copy: true } })
    await a.expectSilence()
  })
})

describe('$subscribe and $unsubscribe', () => {
  it('subscribe without an app action, and report the sequence head', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    const reply = await a.call('$subscribe', { topic: 'chat:message' })
    expect(reply).toEqual({ type: 'reply', action: '$subscribe', id: expect.any(String), data: { topic: 'chat:message', seq: expect.any(Number) } })
    await a.call('pub', { topic: 'chat:message', data: { text: 'hi' } })
    expect(await a.next()).toMatchObject({ type: 'event', data: { text: 'hi' } })
    expect((await a.call('$unsubscribe', { topic: 'chat:message' })).data).toEqual({ topic: 'chat:message', unsubscribed: true })
  })

  it('replays what a reconnecting client missed, once and in order, before the reply', async () => {
    const path = `/news/${room()}`
    const first = await join(path)
    await first.call('$subscribe', { topic: 'alerts:*' })
    await first.call('pub', { topic: 'alerts:a', data: 1 })
    const seen = (await first.next()) as any
    first.ws.close(1000)
    await first.closeInfo()

    const publisher = await join(path)
    await publisher.call('pub', { topic: 'alerts:b', data: 2 })
    await publisher.call('pub', { topic: 'chat:message', data: { text: 'not this topic' } })
    await publisher.call('pub', { topic: 'alerts:c', data: 3 })

    const back = await join(path)
    back.send({ action: '$subscribe', id: 'resume', topic: 'alerts:*', since: seen.seq })
    const frames = [await back.next(), await back.next(), await back.next()] as any[]
    expect(frames.map((f) => [f.type, f.data])).toEqual([
      ['event', 2],
      ['event', 3],
      ['reply', { topic: 'alerts:*', seq: expect.any(Number), replayed: 2 }],
    ])
    expect(frames[0].seq).toBeLessThan(frames[1].seq)
    // The chat:message event took the number between them; the head is the last event published.
    expect(frames[1].seq - frames[0].seq).toBe(2)
    expect(frames[2].data.seq).toBe(frames[1].seq)
  })

  it('a burst of publishes from separate messages (written together): every event delivered or acknowledged is in the log after an eviction', async () => {
    const path = `/news/${room()}`
    const listener = await join(path)
    await listener.call('$subscribe', { topic: 'alerts:*' })
    const publisher = await join(path)
    // Publishes sent at once: separate socket messages, so separate events of the object. BURST is the log's count.
    const BURST = 5
    for (let n = 1; n <= BURST; n++) publisher.send({ action: 'pub', id: `p${n}`, data: { topic: 'alerts:burst', data: n } })
    const acks: any[] = []
    for (let n = 1; n <= BURST; n++) acks.push(await publisher.next())
    expect(acks.map((frame) => frame.id)).toEqual(Array.from({ length: BURST }, (_, i) => `p${i + 1}`))
    const live: any[] = []
    for (let n = 1; n <= BURST; n++) live.push(await listener.next())
    expect(live.map((frame) => frame.data)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1))
    const seqs = live.map((frame) => frame.seq)
    expect(acks.map((frame) => frame.data.seq)).toEqual(seqs)

    // What anyone heard of is durable: after an eviction a client from before the burst gets all of it back.
    await evictDurableObject(instance('news', path))
    const back = await join(path)
    back.send({ action: '$subscribe', id: 'resume', topic: 'alerts:*', since: seqs[0] - 1 })
    const replayed: any[] = []
    for (let n = 1; n <= BURST + 1; n++) replayed.push(await back.next())
    expect(replayed.slice(0, BURST).map((frame) => [frame.seq, frame.data])).toEqual(live.map((frame) => [frame.seq, frame.data]))
    expect(replayed[BURST]).toMatchObject({ type: 'reply', data: { topic: 'alerts:*', replayed: BURST } })
    // A woken instance continues above the numbers it reserved, so the head is at or past the burst's last.
    expect(replayed[BURST].data.seq).toBeGreaterThanOrEqual(seqs[BURST - 1])
  })

  it('says resync when since is older than the log', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    for (let i = 0; i < 30; i++) await a.call('pub', { topic: 'alerts:spam', data: i })
    expect((await a.call('$subscribe', { topic: 'alerts:spam', since: 1 })).data).toEqual({ topic: 'alerts:spam', seq: expect.any(Number), resync: true })
    await a.expectSilence()
  })

  it('says resync for a topic kept out of the log', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    const { seq } = (await a.call('$subscribe', { topic: 'bulk' })).data
    await a.call('pub', { topic: 'bulk', data: 1 })
    await a.next()
    expect((await a.call('$subscribe', { topic: 'bulk', since: seq })).data.resync).toBe(true)
  })

  it('applies per-topic auth and permissions', async () => {
    const a = await join(`/news/${room()}`)
    expect((await a.call('$subscribe', { topic: 'staff' })).error.code).toBe('UNAUTHENTICATED')
    await a.call('login', { role: 'guest' })
    expect((await a.call('$subscribe', { topic: 'staff' })).error).toEqual({ code: 'FORBIDDEN', message: 'Not permitted' })
    await a.call('login', { role: 'admin' })
    expect((await a.call('$subscribe', { topic: 'staff' })).data.topic).toBe('staff')
  })

  it('refuses malformed and undeclared topics with INVALID_INPUT', async () => {
    const a = await join(`/news/${room()}`)
    expect((await a.call('$subscribe', { topic: 'bad topic!' })).error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['topic'] }] })
    expect((await a.call('$subscribe', { topic: 'sports:football' })).error).toMatchObject({ code: 'INVALID_INPUT', message: 'Topic "sports:football" is not offered on channel "news"' })
    expect((await a.call('$subscribe', {})).error.code).toBe('INVALID_INPUT')
    expect((await a.call('$subscribe', { topic: 'alerts:x', since: -1 })).error.code).toBe('INVALID_INPUT')
  })
})

describe('bad publishes', () => {
  it('server code may use a topic the channel does not declare: it stays in the instance', async () => {
    const path = `/news/${room()}`
    const a = await join(path)
    const b = await join(path)
    await a.call('sub', { topic: 'sports:football' })
    expect((await b.call('pub', { topic: 'sports:football', data: 1 })).data).toEqual({ seq: expect.any(Number), delivered: 1 })
    expect(await a.next()).toMatchObject({ type: 'event', topic: 'sports:football', data: 1 })
  })

  it('a malformed topic is INVALID_INPUT, with nothing delivered', async () => {
    const a = await join(`/news/${room()}`)
    expect((await a.call('pub', { topic: 'bad topic!', data: 1 })).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"bad topic!" is not a topic') })
    await a.expectSilence()
  })

  it('a payload failing the topic schema is refused, and nothing is delivered', async () => {
    const a = await join(`/news/${room()}`)
    await a.call('sub', { topic: 'chat:message' })
    expect((await a.call('pub', { topic: 'chat:message', data: { words: 'no text' } })).error.code).toBe('INTERNAL')
    await a.expectSilence()
  })

  it('a payload too large for the log is refused with a message naming the limit', async () => {
    const a = await join(`/news/${room()}`)
    await a.call('sub', { topic: 'alerts:*' })
    expect((await a.call('pubHuge')).error.message).toContain('larger than 1048576 bytes')
    await a.expectSilence()
  })
})

describe('publishing from outside a channel', () => {
  it('from the Worker’s fetch handler reaches the right instance only', async () => {
    const [here, there] = [room(), room()]
    const a = await join(`/news/${here}`)
    const b = await join(`/news/${there}`)
    await a.call('sub', { topic: 'chat:message' })
    await b.call('sub', { topic: 'chat:message' })
    const response = await request(`/admin/news/${here}`, { method: 'POST', body: JSON.stringify({ topic: 'chat:message', data: { text: 'from fetch' } }) })
    expect(await response.json()).toEqual({ seq: expect.any(Number), delivered: 1 })
    expect(await a.next()).toMatchObject({ data: { text: 'from fetch' } })
    await b.expectSilence()
  })

  it('through the HTTP publish route, only with the secret', async () => {
    const r = room()
    const a = await join(`/news/${r}`)
    await a.call('sub', { topic: 'alerts:http' })
    const body = JSON.stringify({ channel: 'news', params: { room: r }, topic: 'alerts:http', data: 'ok' })
    expect((await request('/_publish', { method: 'POST', body })).status).toBe(401)
    expect((await request('/_publish', { method: 'POST', body, headers: { Authorization: 'Bearer wrong-secret-0123456789' } })).status).toBe(401)
    const ok = await request('/_publish', { method: 'POST', body, headers: { Authorization: `Bearer ${SECRET}` } })
    expect(ok.status).toBe(200)
    expect(await a.next()).toMatchObject({ topic: 'alerts:http', data: 'ok' })

    const undeclared = await request('/_publish', { method: 'POST', body: JSON.stringify({ channel: 'news', params: { room: r }, topic: 'nope', data: 1 }), headers: { Authorization: `Bearer ${SECRET}` } })
    expect(undeclared.status).toBe(400)
    expect(await undeclared.json()).toEqual({ error: { code: 'INVALID_INPUT', message: 'Topic "nope" is not declared on channel "news"; add it to the channel\'s topics' } })
  })

  it('through the HTTP publish route, the caller’s mistakes are 400 by their type, not by their wording', async () => {
    const r = room()
    const publish = (body: unknown) => request('/_publish', { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${SECRET}` } })
    const refusals = [
      // Found inside the instance (over RPC): the payload fails the topic's schema.
      [{ channel: 'news', params: { room: r }, topic: 'chat:message', data: { words: 'no text' } }, /^Event for "chat:message" is invalid: /],
      // Found before any object is reached.
      [{ channel: 'news', params: {}, topic: 'chat:message', data: { text: 'hi' } }, /needs the parameter "room"/],
      [{ channel: 'news', topic: 'chat:message', data: { text: 'hi' } }, /is not a global topic of channel "news"/],
      [{ channel: 'news', params: { room: r }, topic: 'alerts:*', data: 1 }, /is a pattern; publish to a concrete topic/],
    ] as const
    for (const [body, message] of refusals) {
      const response = await publish(body)
      expect(response.status).toBe(400)
      const { error } = (await response.json()) as { error: { code: string; message: string } }
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toMatch(message)
    }
  })
})

describe('global topics', () => {
  it('reach subscribers in three instances and no one else', async () => {
    const rooms = [room(), room(), room(), room()]
    const subscribers = await Promise.all(rooms.slice(0, 3).map((r) => join(`/news/${r}`)))
    const bystanderSameRoom = await join(`/news/${rooms[0]}`)
    const otherTopic = await join(`/news/${rooms[3]}`)
    for (const s of subscribers) await s.call('$subscribe', { topic: 'announcements' })
    await otherTopic.call('$subscribe', { topic: 'region:eu' })

    const response = await request('/admin/announce', { method: 'POST', body: JSON.stringify({ text: 'to everyone' }) })
    expect((await response.json()) as { instances: number }).toMatchObject({ instances: expect.any(Number) })
    for (const s of subscribers) expect(await s.next()).toMatchObject({ type: 'event', topic: 'announcements', data: { text: 'to everyone' } })
    await bystanderSameRoom.expectSilence()
    await otherTopic.expectSilence()
  })

  it('a publish from inside one instance reaches the others, in the publisher’s order', async () => {
    const [r1, r2] = [room(), room()]
    const a = await join(`/news/${r1}`)
    const b = await join(`/news/${r2}`)
    await a.call('$subscribe', { topic: 'region:*' })
    await b.call('$subscribe', { topic: 'region:eu' })
    for (let i = 0; i < 5; i++) await a.call('pub', { topic: 'region:eu', data: i })
    const got = [] as unknown[]
    for (let i = 0; i < 5; i++) got.push(((await b.next()) as any).data)
    expect(got).toEqual([0, 1, 2, 3, 4])
    for (let i = 0; i < 5; i++) expect(((await a.next()) as any).data).toBe(i)
  })

  it('skipSender holds across instances: the sender, subscribed itself, does not get its own event back through the coordinator', async () => {
    const [r1, r2] = [room(), room()]
    const sender = await join(`/news/${r1}`)
    const neighbour = await join(`/news/${r1}`)
    const elsewhere = await join(`/news/${r2}`)
    for (const s of [sender, neighbour, elsewhere]) await s.call('$subscribe', { topic: 'region:*' })
    await sender.call('pub', { topic: 'region:eu', data: 'mine', skipSender: true })
    expect(await neighbour.next()).toMatchObject({ type: 'event', topic: 'region:eu', data: 'mine' })
    expect(await elsewhere.next()).toMatchObject({ type: 'event', topic: 'region:eu', data: 'mine' })
    await sender.expectSilence()
  })

  it('an instance that cannot be reached does not stop the others', async () => {
    const r = room()
    const a = await join(`/news/${r}`)
    await a.call('$subscribe', { topic: 'announcements' })
    const coordinator = coordinatorOf('news', 'announcements')
    // Registered first (names sort first), and unreachable: its binding does not exist.
    await coordinator.topicRegister('!dead:/news/gone', 'NO_SUCH_BINDING')
    try {
      const response = await request('/admin/announce', { method: 'POST', body: JSON.stringify({ text: 'still arrives' }) })
      expect(response.status).toBe(200)
      expect(await a.next()).toMatchObject({ topic: 'announcements', data: { text: 'still arrives' } })
    } finally {
      await coordinator.topicUnregister('!dead:/news/gone')
    }
  })

  it('an instance leaves the coordinator when its last subscriber goes', async () => {
    const r = room()
    const a = await join(`/news/${r}`)
    await a.call('$subscribe', { topic: 'announcements' })
    const coordinator = coordinatorOf('news', 'announcements')
    expect(await coordinator.topicInstances()).toContain(`news:/news/${r}`)
    a.ws.close(1000)
    await a.closeInfo()
    await eventually(async () => !(await coordinator.topicInstances()).includes(`news:/news/${r}`))
  })
})

describe('the callback form of subscribe (the seed: eventHub.subscribe(topic, data => channel.send(data)))', () => {
  it('delivers message frames while the object is awake, and the same after it was evicted', async () => {
    const path = `/callback/${room()}`
    const listener = await join(path)
    const speaker = await join(path)
    await speaker.call('say', { text: 'before' })
    expect(await listener.next()).toEqual({ type: 'message', data: { text: 'before' } })

    await evictDurableObject(instance('callback', path))
    await speaker.call('say', { text: 'after' })
    expect(await listener.next()).toEqual({ type: 'message', data: { text: 'after' } })
    await speaker.expectSilence()
  })

  it('warns once per channel that a transforming callback belongs in channel middleware', async () => {
    for (let i = 0; i < 3; i++) await join(`/callback/${room()}`)
    expect(logs.filter((l) => l.message === 'channel.subscribe_callback' && l.fields?.channel === 'callback')).toHaveLength(1)
  })
})
