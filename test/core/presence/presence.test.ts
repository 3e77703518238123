import { describe, expect, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { presenceHost } from './support'

const alice = { userId: 'alice' }
const bob = { userId: 'bob' }

describe('$presence', () => {
  it('lists who is here: the session user id, else the connection id, as each member id and data', async () => {
    const host = presenceHost({ presence: true })
    const a = await host.open(alice)
    const anon = await host.open()
    expect(await host.ask(a, { action: '$presence', watch: false })).toStrictEqual({
      count: 2,
      members: [
        { id: 'alice', data: 'alice', connections: 1 },
        { id: anon, data: anon, connections: 1 },
      ],
    })
  })

  it('counts a user on two tabs as one member with two connections, who leaves with the last one', async () => {
    const host = presenceHost({ presence: true })
    const watcher = await host.open(bob)
    await host.ask(watcher, { action: '$presence' })
    const tab1 = await host.open(alice)
    const tab2 = await host.open(alice)
    expect((await host.ask(watcher, { action: '$presence' })).members).toContainEqual({ id: 'alice', data: 'alice', connections: 2 })
    const from = host.sent(watcher)
    await host.close(tab1)
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 2, updates: [{ id: 'alice', data: 'alice', connections: 1 }] }])
    await host.close(tab2)
    expect(host.presence(watcher, from).at(-1)).toStrictEqual({ type: 'presence', count: 1, leaves: ['alice'] })
  })

  it('maps a connection to what others see with presence.of', async () => {
    const host = presenceHost({ presence: { of: ({ session, openingData }) => ({ name: (session as { name: string }).name, room: (openingData as { room: string }).room }) } })
    const a = await host.open({ userId: 'u1', name: 'Ada' }, { openingData: { room: 'r' } })
    expect((await host.ask(a, { action: '$presence' })).members).toStrictEqual([{ id: 'u1', data: { name: 'Ada', room: 'r' }, connections: 1 }])
  })

  it('answers UNKNOWN_ACTION on a channel without presence, and a handler cannot setPresence there', async () => {
    const host = presenceHost({
      onMessageWiring: { mood: pikkuChannelFunc<{ mood: string }, void>({ func: async ({ channel }, { mood }) => channel.setPresence(mood) }) },
    })
    const a = await host.open()
    const refused = await host.ask(a, { action: '$presence' })
    expect(refused.error).toMatchObject({ code: 'UNKNOWN_ACTION', message: expect.stringContaining('presence: true') })
    expect((await host.ask(a, { action: 'mood', mood: 'x' })).error.code).toBe('INTERNAL')
  })

  it('needs a session when the channel or presence.auth says so', async () => {
    const host = presenceHost({ auth: true, presence: true })
    const anon = await host.open()
    expect((await host.ask(anon, { action: '$presence' })).error.code).toBe('UNAUTHENTICATED')
    const open = presenceHost({ auth: true, presence: { auth: false } })
    const anon2 = await open.open()
    expect((await open.ask(anon2, { action: '$presence' })).count).toBe(1)
  })

  it('refuses a watch that is not a boolean', async () => {
    const host = presenceHost({ presence: true })
    const a = await host.open()
    expect((await host.ask(a, { action: '$presence', watch: 'yes' })).error.code).toBe('INVALID_INPUT')
  })
})

describe('watchers', () => {
  it('are sent joins, leaves and setPresence updates; a connection that stopped watching is not', async () => {
    const host = presenceHost({
      presence: true,
      onMessageWiring: { mood: pikkuChannelFunc<{ mood: string }, void>({ func: async ({ channel }, { mood }) => channel.setPresence({ mood }) }) },
    })
    const watcher = await host.open(bob)
    const quiet = await host.open({ userId: 'carol' })
    await host.ask(watcher, { action: '$presence' })
    const from = host.sent(watcher)
    const a = await host.open(alice)
    await host.ask(a, { action: 'mood', mood: 'happy' })
    await host.close(a)
    expect(host.presence(watcher, from)).toStrictEqual([
      { type: 'presence', count: 3, joins: [{ id: 'alice', data: 'alice', connections: 1 }] },
      { type: 'presence', count: 3, updates: [{ id: 'alice', data: { mood: 'happy' }, connections: 1 }] },
      { type: 'presence', count: 2, leaves: ['alice'] },
    ])
    expect(host.presence(quiet)).toStrictEqual([])
    await host.ask(watcher, { action: '$presence', watch: false })
    const after = host.sent(watcher)
    await host.open(alice)
    expect(host.presence(watcher, after)).toStrictEqual([])
  })

  it('see data set while onConnect ran in the join itself', async () => {
    const host = presenceHost({
      presence: true,
      onConnect: pikkuChannelFunc<unknown, void>({ func: async ({ channel }) => channel.setPresence({ status: 'here' }) }),
    })
    const watcher = await host.open(bob)
    await host.ask(watcher, { action: '$presence' })
    const from = host.sent(watcher)
    await host.open(alice)
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 2, joins: [{ id: 'alice', data: { status: 'here' }, connections: 1 }] }])
  })

  it('hear nothing of a connection that set presence data and closed in its onConnect', async () => {
    const host = presenceHost({
      presence: true,
      onConnect: pikkuChannelFunc<unknown, void>({
        func: async ({ channel }, _data, wire) => {
          channel.setPresence({ status: 'here' })
          if ((wire.session as { userId?: string } | undefined)?.userId === 'quitter') channel.close(4000, 'no')
        },
      }),
    })
    const watcher = await host.open(bob)
    await host.ask(watcher, { action: '$presence' })
    // After a wake the quitter's close is the room's first event: it must not be taken for someone who was here.
    host.wake()
    const from = host.sent(watcher)
    await host.open({ userId: 'quitter' })
    await host.open(alice)
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 2, joins: [{ id: 'alice', data: { status: 'here' }, connections: 1 }] }])
    expect(host.runtime.presenceCount).toBe(2)
  })

  it('move a connection to the member its new session names, and it keeps watching', async () => {
    const host = presenceHost({
      presence: true,
      onMessageWiring: { login: pikkuChannelFunc<{ userId: string }, void>({ func: async (_services, session, wire) => wire.setSession(session) }) },
    })
    const watcher = await host.open(bob)
    const anon = await host.open()
    await host.ask(watcher, { action: '$presence' })
    const from = host.sent(watcher)
    await host.ask(anon, { action: 'login', userId: 'alice' })
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 2, joins: [{ id: 'alice', data: 'alice', connections: 1 }], leaves: [anon] }])
    await host.ask(watcher, { action: 'login', userId: 'bert' })
    const after = host.sent(watcher)
    await host.open({ userId: 'cy' })
    expect(host.presence(watcher, after)).toStrictEqual([{ type: 'presence', count: 3, joins: [{ id: 'cy', data: 'cy', connections: 1 }] }])
  })

  it('refuse presence data over 1 KiB', async () => {
    const host = presenceHost({
      presence: true,
      onMessageWiring: { mood: pikkuChannelFunc<{ mood: string }, void>({ func: async ({ channel }, { mood }) => channel.setPresence(mood) }) },
    })
    const a = await host.open()
    expect((await host.ask(a, { action: 'mood', mood: 'x'.repeat(1100) })).error.code).toBe('INTERNAL')
    expect((await host.ask(a, { action: '$presence' })).members[0].data).toBe(a)
  })
})

describe('coalescing', () => {
  it('a burst of N joins costs each watcher N frames of one join each, not a list per join', async () => {
    const host = presenceHost({ presence: { largeRoom: 1000 } })
    const watchers = [await host.open(), await host.open(), await host.open()]
    for (const w of watchers) await host.ask(w, { action: '$presence' })
    const from = watchers.map((w) => host.sent(w))
    const N = 50
    await Promise.all(Array.from({ length: N }, () => host.open()))
    for (const [i, w] of watchers.entries()) {
      const frames = host.presence(w, from[i])
      expect(frames.length).toBeLessThanOrEqual(N)
      expect(frames.flatMap((f) => f.joins ?? []).length).toBe(N)
      expect(frames.every((f) => f.members === undefined)).toBe(true)
      expect(frames.at(-1)!.count).toBe(N + 3)
    }
  })

  it('changes within one turn go out as one frame, with their net effect', async () => {
    const host = presenceHost({ presence: true })
    const watcher = await host.open(bob)
    const a = await host.open(alice)
    const c = await host.open({ userId: 'carol' })
    await host.ask(watcher, { action: '$presence' })
    const from = host.sent(watcher)
    // Both closes start in the same turn.
    await Promise.all([host.close(a), host.close(c)])
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 1, leaves: ['alice', 'carol'] }])
  })
})

describe('large rooms', () => {
  it('switch watchers to the count and a sample above largeRoom, and back to full lists at or below 90% of it', async () => {
    const host = presenceHost({ presence: { largeRoom: 10, sample: 2 } })
    const watcher = await host.open({ userId: 'w' })
    await host.ask(watcher, { action: '$presence' })
    const ids = []
    for (let i = 0; i < 9; i++) ids.push(await host.open())
    let from = host.sent(watcher)
    ids.push(await host.open()) // the 11th member
    const sample = [
      { id: 'w', data: 'w', connections: 1 },
      { id: ids[0], data: ids[0], connections: 1 },
    ]
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 11, members: sample, sampled: true }])
    from = host.sent(watcher)
    ids.push(await host.open())
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 12, sampled: true }])
    expect(await host.ask(ids[1]!, { action: '$presence', watch: false })).toStrictEqual({ count: 12, members: sample, sampled: true })
    // Down to 10 (above 9): still sampled; a sampled member leaving changes the sample.
    from = host.sent(watcher)
    await host.close(ids[0]!)
    await host.close(ids[1]!)
    const frames = host.presence(watcher, from)
    expect(frames[0]).toMatchObject({ count: 11, sampled: true, members: [{ id: 'w' }, { id: ids[1] }] })
    expect(frames[1]).toMatchObject({ count: 10, sampled: true, members: [{ id: 'w' }, { id: ids[2] }] })
    from = host.sent(watcher)
    await host.close(ids[2]!)
    const [back] = host.presence(watcher, from)
    expect(back!.sampled).toBeUndefined()
    expect(back!.count).toBe(9)
    expect(back!.members).toHaveLength(9)
  })
})

describe('hibernation and crashes', () => {
  it('is rebuilt after a wake from the records alone, watchers still watching, with no storage write', async () => {
    const host = presenceHost({ presence: true })
    const watcher = await host.open(bob)
    await host.ask(watcher, { action: '$presence' })
    await host.open(alice)
    await host.open(alice)
    const anon = await host.open()
    host.wake()
    const from = host.sent(watcher)
    const late = await host.open({ userId: 'carol' })
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 4, joins: [{ id: 'carol', data: 'carol', connections: 1 }] }])
    host.wake()
    expect((await host.ask(late, { action: '$presence', watch: false })).members).toStrictEqual([
      { id: 'bob', data: 'bob', connections: 1 },
      { id: 'alice', data: 'alice', connections: 2 },
      { id: anon, data: anon, connections: 1 },
      { id: 'carol', data: 'carol', connections: 1 },
    ])
  })

  it('tells watchers of a leave that is the first event after a wake', async () => {
    const host = presenceHost({ presence: true })
    const watcher = await host.open(bob)
    await host.ask(watcher, { action: '$presence' })
    const a = await host.open(alice)
    host.wake()
    const from = host.sent(watcher)
    await host.close(a)
    expect(host.presence(watcher, from)).toStrictEqual([{ type: 'presence', count: 1, leaves: ['alice'] }])
  })

  it('has nobody from before a crash: connections reconciled as gone leave', async () => {
    const host = presenceHost({ presence: true, onDisconnect: pikkuChannelFunc<unknown, void>({ func: async () => undefined }) })
    await host.open(alice)
    await host.open(bob)
    expect(await host.crash()).toBe(2)
    const fresh = await host.open({ userId: 'carol' })
    expect(await host.ask(fresh, { action: '$presence' })).toStrictEqual({ count: 1, members: [{ id: 'carol', data: 'carol', connections: 1 }] })
    expect(host.runtime.presenceCount).toBe(1)
  })
})

describe('wiring', () => {
  it('checks presence options', () => {
    const wire = (presence: unknown) => defineChannel({ name: 'x', presence } as never)
    expect(wire(true).presence).toStrictEqual({ of: undefined, largeRoom: 100, sample: 20, auth: undefined })
    expect(wire(false).presence).toBeUndefined()
    expect(wire({ largeRoom: 5, sample: 50 }).presence).toMatchObject({ largeRoom: 5, sample: 5 })
    expect(() => wire('yes')).toThrow(WiringError)
    expect(() => wire({ of: 'name' })).toThrow(/presence.of must be a function/)
    expect(() => wire({ largeRoom: 0 })).toThrow(/presence.largeRoom must be a whole number/)
    expect(() => wire({ sample: 1.5 })).toThrow(/presence.sample/)
    expect(() => wire({ auth: 'no' })).toThrow(/presence.auth/)
  })
})
