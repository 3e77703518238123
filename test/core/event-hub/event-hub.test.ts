import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { ChannelError, EventHubError } from '../../../src/core/errors'
import { EventHub, MAX_LOGGED_EVENT_BYTES } from '../../../src/core/event-hub/event-hub'
import type { GlobalBridge } from '../../../src/core/event-hub/global-bridge'
import type { Delivery } from '../../../src/core/event-hub/hub-store'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import type { PreparedEvent } from '../../../src/core/event-hub/prepared-event'
import type { ReplayOptions, TopicTable } from '../../../src/core/event-hub/topics'
import { PLATFORM_MAX_MESSAGE_SIZE } from '../../../src/core/limits'

const TOPICS: TopicTable = {
  'chat:message': { schema: v.object({ text: v.string() }) },
  shout: { schema: v.pipe(v.string(), v.transform((text) => text.toUpperCase())) },
  'alerts:*': {},
  staff: {},
  bulk: { replay: false },
  'region:*': { global: true },
  announcements: { global: true },
}

interface Options {
  replay?: ReplayOptions | false
  global?: GlobalBridge
  now?: () => number
  maxEventBytes?: number
  subscriptionCaps?: { perConnection: number; perInstance: number }
}

/** A hub over a MemoryHubStore whose `deliver` records every attempt; ids in `gone` answer false. */
function makeHub(topics: TopicTable = TOPICS, options: Options = {}, store = new MemoryHubStore()) {
  const attempts: [string, PreparedEvent, Delivery][] = []
  const gone = new Set<string>()
  const hub = new EventHub('news', topics, store, (channelId, event, delivery) => {
    attempts.push([channelId, event, delivery])
    return !gone.has(channelId)
  }, options)
  return {
    hub,
    store,
    attempts,
    gone,
    /** Channel ids delivered to (successfully or not), sorted, and forgets them. */
    take(): string[] {
      const ids = attempts.map(([id]) => id).sort()
      attempts.length = 0
      return ids
    },
  }
}

function bridge() {
  return {
    register: vi.fn(async (_key: string) => {}),
    renew: vi.fn((_key: string) => {}),
    unregister: vi.fn(async (_key: string) => {}),
    publish: vi.fn(async (_key: string, _topic: string, _data: unknown, _skip: string | undefined, _subscribed: boolean) => {}),
  } satisfies GlobalBridge
}

/** The message of the INVALID_INPUT a malformed topic is refused with. */
async function inputError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ChannelError)
  expect((error as ChannelError).code).toBe('INVALID_INPUT')
  return (error as Error).message
}

/** A plain Error (a server-side mistake), never a ChannelError the client would see. */
async function plainError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  expect(error).not.toBeInstanceOf(ChannelError)
  return error as Error
}

describe('fan-out', () => {
  it('delivers to exact and pattern subscribers, exactly once each', async () => {
    const { hub, take } = makeHub()
    await hub.subscribe('both', 'alerts:x')
    await hub.subscribe('both', 'alerts:*')
    await hub.subscribe('pattern', 'alerts:*')
    await hub.subscribe('exact', 'alerts:x')
    await hub.subscribe('sibling', 'alerts:y')
    await hub.subscribe('other', 'staff')
    expect(await hub.publish('alerts:x', 1)).toStrictEqual({ seq: 1, delivered: 3 })
    expect(take()).toStrictEqual(['both', 'exact', 'pattern'])
    expect(await hub.publish('alerts:y', 2)).toStrictEqual({ seq: 2, delivered: 3 })
    expect(take()).toStrictEqual(['both', 'pattern', 'sibling'])
    expect(await hub.publish('staff', 3)).toStrictEqual({ seq: 3, delivered: 1 })
    expect(take()).toStrictEqual(['other'])
  })

  it('"*" and a narrower pattern on one connection still make one delivery', async () => {
    const { hub, take } = makeHub({ '*': {}, 'a:*': {}, 'a:b:*': {} })
    await hub.subscribe('c1', '*')
    await hub.subscribe('c1', 'a:*')
    await hub.subscribe('c1', 'a:b:*')
    await hub.subscribe('c1', 'a:b:c')
    await hub.subscribe('c2', 'a:b:*')
    expect((await hub.publish('a:b:c', null)).delivered).toBe(2)
    expect(take()).toStrictEqual(['c1', 'c2'])
    expect((await hub.publish('z', null)).delivered).toBe(1)
    expect(take()).toStrictEqual(['c1'])
  })

  it('publishes to nobody without failing', async () => {
    const { hub, attempts } = makeHub()
    expect(await hub.publish('alerts:none', 'x')).toStrictEqual({ seq: 1, delivered: 0 })
    expect(attempts).toStrictEqual([])
  })

  it('skips the connection it is told to', async () => {
    const { hub, take } = makeHub()
    await hub.subscribe('sender', 'alerts:x')
    await hub.subscribe('other', 'alerts:*')
    expect(await hub.publish('alerts:x', 1, { skip: 'sender' })).toStrictEqual({ seq: 1, delivered: 1 })
    expect(take()).toStrictEqual(['other'])
    expect(await hub.publish('alerts:x', 1, { skip: 'other' })).toStrictEqual({ seq: 2, delivered: 1 })
    expect(take()).toStrictEqual(['sender'])
    expect(await hub.publish('alerts:x', 1, { skip: 'nobody' })).toStrictEqual({ seq: 3, delivered: 2 })
  })

  it('builds one frame, as valid JSON in protocol order, and hands the same event to every subscriber', async () => {
    const { hub, attempts } = makeHub()
    for (const id of ['a', 'b', 'c']) await hub.subscribe(id, 'alerts:*')
    const data = { text: 'hé "quoted"', n: [1, 2] }
    const stringify = vi.spyOn(JSON, 'stringify')
    try {
      await hub.publish('alerts:x', data)
      // Once for the payload, whatever the number of subscribers.
      expect(stringify.mock.calls.filter(([value]) => value === data)).toHaveLength(1)
    } finally {
      stringify.mockRestore()
    }
    expect(attempts).toHaveLength(3)
    const [first] = attempts[0]!.slice(1) as [PreparedEvent]
    for (const [, event] of attempts) expect(event).toBe(first)
    expect(first.frame).toBe('{"type":"event","topic":"alerts:x","data":{"text":"hé \\"quoted\\"","n":[1,2]},"seq":1}')
    expect(Object.keys(JSON.parse(first.frame))).toStrictEqual(['type', 'topic', 'data', 'seq'])
    expect(JSON.parse(first.frame)).toStrictEqual({ type: 'event', topic: 'alerts:x', data, seq: 1 })
    expect(first).toStrictEqual({ topic: 'alerts:x', seq: 1, data, json: JSON.stringify(data), frame: first.frame })
    expect(first.data).toBe(data)
  })

  it('encodes an undefined payload as null', async () => {
    const { hub, attempts } = makeHub()
    await hub.subscribe('a', 'alerts:*')
    await hub.publish('alerts:x', undefined)
    expect(JSON.parse(attempts[0]![1].frame)).toStrictEqual({ type: 'event', topic: 'alerts:x', data: null, seq: 1 })
  })
})

describe('sequence numbers', () => {
  it('are monotonic across topics, including unlogged topics and topics without subscribers', async () => {
    const { hub } = makeHub()
    expect(hub.head()).toBe(0)
    const seqs = []
    for (const topic of ['alerts:a', 'bulk', 'staff', 'alerts:b', 'bulk']) seqs.push((await hub.publish(topic, 0)).seq)
    expect(seqs).toStrictEqual([1, 2, 3, 4, 5])
    expect(hub.head()).toBe(5)
  })

  it('reserve a block in the store: one ceiling write per 1024 publishes, not per publish', async () => {
    const store = new MemoryHubStore()
    const setCeiling = vi.spyOn(store, 'setSeqCeiling')
    const { hub } = makeHub(TOPICS, { replay: false }, store)
    await hub.publish('alerts:a', 0)
    expect(setCeiling.mock.calls).toStrictEqual([[1024]])
    for (let i = 2; i <= 1024; i++) await hub.deliverLocal('alerts:a', i)
    expect(setCeiling).toHaveBeenCalledTimes(1)
    expect((await hub.deliverLocal('alerts:a', 0)).seq).toBe(1025)
    expect(setCeiling.mock.calls).toStrictEqual([[1024], [2048]])
    expect(store.seqCeiling()).toBe(2048)
  })

  it('continue strictly above every number handed out before a wake', async () => {
    const store = new MemoryHubStore()
    const before = makeHub(TOPICS, {}, store)
    const handedOut: number[] = []
    for (let i = 0; i < 3; i++) handedOut.push((await before.hub.publish('alerts:a', i)).seq!)
    expect(handedOut).toStrictEqual([1, 2, 3])

    const setCeiling = vi.spyOn(store, 'setSeqCeiling')
    const after = makeHub(TOPICS, {}, store)
    // Numbers up to the reserved ceiling may have been used: the head is the ceiling.
    expect(after.hub.head()).toBe(1024)
    expect(setCeiling).not.toHaveBeenCalled()
    const next = (await after.hub.publish('alerts:a', 'woken')).seq!
    expect(next).toBe(1025)
    expect(next).toBeGreaterThan(Math.max(...handedOut))
    expect(setCeiling.mock.calls).toStrictEqual([[2048]])
    expect((await after.hub.publish('alerts:a', 'again')).seq).toBe(1026)
    expect(setCeiling).toHaveBeenCalledTimes(1)

    // A second wake, right after: still above.
    const third = makeHub(TOPICS, {}, store)
    expect((await third.hub.publish('alerts:a', 'third')).seq).toBe(2049)
  })

  it('are not used up by refused publishes', async () => {
    const { hub } = makeHub()
    await expect(hub.publish('chat:message', { nope: 1 })).rejects.toThrow()
    await expect(hub.publish('sports:*', 1)).rejects.toThrow()
    await expect(hub.deliverLocal('alerts:big', 'x'.repeat(MAX_LOGGED_EVENT_BYTES))).rejects.toThrow()
    expect((await hub.publish('alerts:a', 1)).seq).toBe(1)
  })
})

describe('replay', () => {
  async function published() {
    const made = makeHub(TOPICS, { now: () => 5000 })
    const { hub } = made
    await hub.publish('alerts:a', 'A') // 1
    await hub.publish('chat:message', { text: 'hi' }) // 2
    await hub.publish('alerts:b', 'B') // 3
    await hub.publish('bulk', 'not logged') // 4
    await hub.publish('alerts:c', 'C') // 5
    await hub.publish('staff', 6) // 6
    return made
  }

  it('returns only matching topics after since, oldest first, with the head', async () => {
    const { hub } = await published()
    expect(hub.replay('alerts:*', 1)).toStrictEqual({
      events: [
        { seq: 3, topic: 'alerts:b', data: '"B"', at: 5000 },
        { seq: 5, topic: 'alerts:c', data: '"C"', at: 5000 },
      ],
      resync: false,
      seq: 6,
    })
    expect(hub.replay('alerts:*', 0).events.map((e) => e.seq)).toStrictEqual([1, 3, 5])
    expect(hub.replay('chat:message', 0).events).toStrictEqual([{ seq: 2, topic: 'chat:message', data: '{"text":"hi"}', at: 5000 }])
    expect(hub.replay('alerts:b', 0).events.map((e) => e.seq)).toStrictEqual([3])
    expect(hub.replay('alerts:*', 5)).toStrictEqual({ events: [], resync: false, seq: 6 })
    expect(hub.replay('alerts:*', 6)).toStrictEqual({ events: [], resync: false, seq: 6 })
  })

  it('keeps unlogged topics out of the log', async () => {
    const { store } = await published()
    expect(store.events.map((e) => e.topic)).toStrictEqual(['alerts:a', 'chat:message', 'alerts:b', 'alerts:c', 'staff'])
  })

  it('says resync when since is ahead of the head, or not a whole number', async () => {
    const { hub } = await published()
    expect(hub.replay('alerts:*', 7)).toStrictEqual({ events: [], resync: true, seq: 6 })
    expect(hub.replay('alerts:*', 1.5)).toStrictEqual({ events: [], resync: true, seq: 6 })
    expect(hub.replay('alerts:*', Number.NaN)).toStrictEqual({ events: [], resync: true, seq: 6 })
  })

  it('says resync when since is older than the log reaches', async () => {
    const { hub, store } = makeHub(TOPICS, { replay: { count: 10 } })
    for (let i = 1; i <= 27; i++) await hub.publish('alerts:a', i)
    // Reading the log trims it to exactly `count` first.
    expect(hub.replay('alerts:*', 27)).toStrictEqual({ events: [], resync: false, seq: 27 })
    expect(store.events.map((e) => e.seq)).toStrictEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27])
    expect(store.trimmedThrough()).toBe(17)
    expect(hub.replay('alerts:*', 16)).toStrictEqual({ events: [], resync: true, seq: 27 })
    expect(hub.replay('alerts:*', 0)).toStrictEqual({ events: [], resync: true, seq: 27 })
    const from17 = hub.replay('alerts:*', 17)
    expect(from17.resync).toBe(false)
    expect(from17.events.map((e) => e.seq)).toStrictEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27])
  })

  it('says resync for a topic with replay: false, unless the client is already at the head', async () => {
    const { hub } = await published()
    expect(hub.replay('bulk', 3)).toStrictEqual({ events: [], resync: true, seq: 6 })
    expect(hub.replay('bulk', 0)).toStrictEqual({ events: [], resync: true, seq: 6 })
    expect(hub.replay('bulk', 6)).toStrictEqual({ events: [], resync: false, seq: 6 })
  })

  it('says resync for every topic when the channel has replay: false, and logs nothing', async () => {
    const { hub, store } = makeHub(TOPICS, { replay: false })
    await hub.publish('alerts:a', 1)
    await hub.publish('alerts:b', 2)
    expect(store.events).toStrictEqual([])
    expect(hub.replay('alerts:*', 1)).toStrictEqual({ events: [], resync: true, seq: 2 })
    expect(hub.replay('alerts:*', 2)).toStrictEqual({ events: [], resync: false, seq: 2 })
  })

  it('checks the subscription like subscribe does: a malformed one is INVALID_INPUT', () => {
    const { hub } = makeHub()
    expect(() => hub.replay('bad topic!', 0)).toThrow(ChannelError)
    expect(() => hub.replay('bad topic!', 0)).toThrow('eventHub: "bad topic!" is not a topic')
  })

  it('replays topics the channel does not declare, under the channel\'s replay settings', async () => {
    const { hub } = makeHub()
    await hub.publish('sports:football', { goal: 1 })
    await hub.publish('sports:tennis', { ace: 1 })
    expect(hub.replay('sports:*', 0).events.map((e) => [e.topic, e.data])).toStrictEqual([
      ['sports:football', '{"goal":1}'],
      ['sports:tennis', '{"ace":1}'],
    ])
  })

  it('keeps binary events as bytes', async () => {
    const { hub } = makeHub()
    await hub.publish('alerts:bin', new Uint8Array([7, 8]))
    expect(hub.replay('alerts:bin', 0).events[0]!.data).toStrictEqual(new Uint8Array([7, 8]))
  })
})

describe('trimming', () => {
  it('by count happens in batches: the log grows a little past count, then shrinks to it', async () => {
    const store = new MemoryHubStore()
    const trim = vi.spyOn(store, 'trim')
    const { hub } = makeHub(TOPICS, { replay: { count: 10 } }, store)
    const sizes: number[] = []
    for (let i = 1; i <= 100; i++) {
      await hub.publish('alerts:a', i)
      sizes.push(store.logSize())
    }
    // Slack is max(16, count / 8) = 16 (give or take one): the log never passes 27, and is trimmed back to 10.
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(25)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(26)
    expect(sizes.slice(0, 10)).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(sizes.filter((n) => n === 10).length).toBe(trim.mock.calls.length + 1)
    // About one trim per 16 publishes, not one per publish.
    expect(trim.mock.calls.length).toBeGreaterThanOrEqual(5)
    expect(trim.mock.calls.length).toBeLessThanOrEqual(6)
    for (const call of trim.mock.calls) expect(call[0]).toBe(10)
    expect(store.events.at(-1)!.seq).toBe(100)
    expect(store.trimmedThrough()).toBe(store.events[0]!.seq - 1)
  })

  it('trims exactly when the log passes count + max(16, count / 8)', async () => {
    const store = new MemoryHubStore()
    const trim = vi.spyOn(store, 'trim')
    const { hub } = makeHub(TOPICS, { replay: { count: 10 } }, store)
    for (let i = 1; i <= 26; i++) await hub.publish('alerts:a', i)
    expect(store.logSize()).toBe(26)
    expect(trim).not.toHaveBeenCalled()
    await hub.publish('alerts:a', 27)
    expect(trim).toHaveBeenCalledTimes(1)
    expect(store.events.map((e) => e.seq)).toStrictEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27])
    expect(store.trimmedThrough()).toBe(17)
    for (let i = 28; i <= 43; i++) await hub.publish('alerts:a', i)
    expect(store.logSize()).toBe(26)
    await hub.publish('alerts:a', 44)
    expect(trim).toHaveBeenCalledTimes(2)
    expect(store.trimmedThrough()).toBe(34)
  })

  it('uses count / 8 as the slack for large counts', async () => {
    const store = new MemoryHubStore()
    const { hub } = makeHub(TOPICS, { replay: { count: 200 } }, store)
    const sizes: number[] = []
    for (let i = 1; i <= 226; i++) {
      await hub.deliverLocal('alerts:a', i)
      sizes.push(store.logSize())
    }
    // Slack 25 (200 / 8), not 16: the log reaches 224 untrimmed, and is back at 200 by 226 publishes.
    expect(sizes.slice(0, 224)).toStrictEqual(Array.from({ length: 224 }, (_, i) => i + 1))
    const firstTrim = sizes.indexOf(200, 200) + 1
    expect([225, 226]).toContain(firstTrim)
    expect(store.trimmedThrough()).toBe(firstTrim - 200)
  })

  it('by age, with the now option', async () => {
    let now = 0
    const store = new MemoryHubStore()
    const { hub } = makeHub(TOPICS, { replay: { maxAgeMs: 1000 }, now: () => now }, store)
    await hub.publish('alerts:a', 1) // at 0
    now = 500
    await hub.publish('alerts:a', 2) // at 500
    now = 1500
    await hub.publish('alerts:a', 3) // at 1500
    expect(store.events.map((e) => [e.seq, e.at])).toStrictEqual([
      [1, 0],
      [2, 500],
      [3, 1500],
    ])
    now = 1800
    // Anything before 800 is forgotten when the log is next read.
    expect(hub.replay('alerts:*', 0)).toStrictEqual({ events: [], resync: true, seq: 3 })
    expect(store.events.map((e) => e.seq)).toStrictEqual([3])
    expect(store.trimmedThrough()).toBe(2)
    expect(hub.replay('alerts:*', 2)).toStrictEqual({ events: [{ seq: 3, topic: 'alerts:a', data: '3', at: 1500 }], resync: false, seq: 3 })
    now = 2500
    // Exactly maxAgeMs old: kept.
    expect(hub.replay('alerts:*', 2).events.map((e) => e.seq)).toStrictEqual([3])
    now = 2501
    expect(hub.replay('alerts:*', 2)).toStrictEqual({ events: [], resync: true, seq: 3 })
    expect(hub.replay('alerts:*', 3)).toStrictEqual({ events: [], resync: false, seq: 3 })
  })

  it('remembers what it trimmed across a new hub over the same store', async () => {
    const store = new MemoryHubStore()
    const before = makeHub(TOPICS, { replay: { count: 10 } }, store)
    for (let i = 1; i <= 27; i++) await before.hub.publish('alerts:a', i)
    before.hub.replay('alerts:*', 27)
    expect(store.trimmedThrough()).toBe(17)

    const after = makeHub(TOPICS, { replay: { count: 10 } }, store)
    expect(after.hub.replay('alerts:*', 16)).toStrictEqual({ events: [], resync: true, seq: 1024 })
    const from17 = after.hub.replay('alerts:*', 17)
    expect(from17.resync).toBe(false)
    expect(from17.events.map((e) => e.seq)).toStrictEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27])
    expect(store.trimmedThrough()).toBe(17)
  })

  it('reads a trimmed mark left in the store by an earlier instance', () => {
    const store = new MemoryHubStore()
    store.setSeqCeiling(1024)
    store.setTrimmedThrough(500)
    const { hub } = makeHub(TOPICS, {}, store)
    expect(hub.replay('alerts:*', 499)).toStrictEqual({ events: [], resync: true, seq: 1024 })
    expect(hub.replay('alerts:*', 500)).toStrictEqual({ events: [], resync: false, seq: 1024 })
    expect(store.trimmedThrough()).toBe(500)
  })
})

describe('subscriptions and the in-memory index', () => {
  it('subscribe before the first publish: the index is loaded from the store', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c2', 'alerts:*')
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['c1', 'event']])
    expect(store.patternSubscriptions()).toStrictEqual([['alerts:*', 'c2', 'event']])
    await hub.publish('alerts:x', 1)
    expect(take()).toStrictEqual(['c1', 'c2'])
  })

  it('subscribe after the index is loaded: the index is updated', async () => {
    const { hub, take } = makeHub()
    // Loads an empty exact entry and an empty pattern map.
    await hub.publish('alerts:x', 0)
    expect(take()).toStrictEqual([])
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c2', 'alerts:*')
    await hub.subscribe('c3', 'alerts:*')
    await hub.publish('alerts:x', 1)
    expect(take()).toStrictEqual(['c1', 'c2', 'c3'])
    expect(await hub.unsubscribe('c1', 'alerts:x')).toBe(true)
    expect(await hub.unsubscribe('c2', 'alerts:*')).toBe(true)
    await hub.publish('alerts:x', 2)
    expect(take()).toStrictEqual(['c3'])
    expect(await hub.unsubscribe('c3', 'alerts:*')).toBe(true)
    expect((await hub.publish('alerts:x', 3)).delivered).toBe(0)
    expect(take()).toStrictEqual([])
    // And back again.
    await hub.subscribe('c2', 'alerts:*')
    await hub.publish('alerts:x', 4)
    expect(take()).toStrictEqual(['c2'])
  })

  it('unsubscribe before the index is loaded leaves nothing behind', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c1', 'alerts:*')
    expect(await hub.unsubscribe('c1', 'alerts:x')).toBe(true)
    expect(await hub.unsubscribe('c1', 'alerts:*')).toBe(true)
    expect(store.subscriptions.size).toBe(0)
    expect((await hub.publish('alerts:x', 1)).delivered).toBe(0)
    expect(take()).toStrictEqual([])
  })

  it('subscribing twice is one subscription; unsubscribing what is not there is false', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'alerts:x')
    await hub.publish('alerts:x', 0)
    take()
    await hub.subscribe('c1', 'alerts:x')
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['c1', 'event']])
    await hub.publish('alerts:x', 1)
    expect(take()).toStrictEqual(['c1'])
    expect(await hub.unsubscribe('c1', 'alerts:x')).toBe(true)
    expect(await hub.unsubscribe('c1', 'alerts:x')).toBe(false)
    expect(await hub.unsubscribe('c2', 'alerts:*')).toBe(false)
  })

  it('drop after the index is loaded removes the connection from store and index', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c1', 'alerts:*')
    await hub.subscribe('c1', 'staff')
    await hub.subscribe('c2', 'alerts:*')
    await hub.publish('alerts:x', 0)
    await hub.publish('staff', 0)
    take()
    await hub.dropConnection('c1')
    expect([...store.subscriptions.keys()]).toStrictEqual(['alerts:*'])
    expect(store.subscribersOf('alerts:*')).toStrictEqual([['c2', 'event']])
    await hub.publish('alerts:x', 1)
    await hub.publish('staff', 1)
    expect(take()).toStrictEqual(['c2'])
  })

  it('drop before the index is loaded', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c1', 'alerts:*')
    await hub.dropConnection('c1')
    expect(store.subscriptions.size).toBe(0)
    expect((await hub.publish('alerts:x', 1)).delivered).toBe(0)
    expect(take()).toStrictEqual([])
  })

  it('a new hub over the same store (a wake) finds the subscriptions, and keeps its index current', async () => {
    const store = new MemoryHubStore()
    const before = makeHub(TOPICS, {}, store)
    await before.hub.subscribe('c1', 'alerts:x')
    await before.hub.subscribe('c2', 'alerts:*')
    await before.hub.publish('alerts:x', 0)

    const after = makeHub(TOPICS, {}, store)
    expect((await after.hub.publish('alerts:x', 1)).delivered).toBe(2)
    expect(after.take()).toStrictEqual(['c1', 'c2'])
    await after.hub.unsubscribe('c1', 'alerts:x')
    await after.hub.subscribe('c3', 'alerts:x')
    await after.hub.dropConnection('c2')
    await after.hub.publish('alerts:x', 2)
    expect(after.take()).toStrictEqual(['c3'])
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['c3', 'event']])
    expect(store.patternSubscriptions()).toStrictEqual([])
  })

  it('refuses malformed subscriptions with INVALID_INPUT, storing nothing', async () => {
    const { hub, store } = makeHub()
    await expect(hub.subscribe('c1', 'alerts:')).rejects.toThrow(ChannelError)
    await expect(hub.subscribe('c1', 'alerts:')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^eventHub: "alerts:" is not a topic/) })
    await expect(hub.unsubscribe('c1', 'bad topic!')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(store.subscriptions.size).toBe(0)
  })

  it('takes topics and patterns the channel does not declare, from server code, as local ones', async () => {
    const { hub, store, take } = makeHub()
    await hub.subscribe('c1', 'sports:x')
    await hub.subscribe('c2', '*')
    expect(await hub.publish('sports:x', { any: 'shape' })).toStrictEqual({ seq: 1, delivered: 2 })
    expect(take()).toStrictEqual(['c1', 'c2'])
    expect(await hub.unsubscribe('c1', 'sports:x')).toBe(true)
    expect(store.subscribersOf('sports:x')).toStrictEqual([])
  })

  it('keeps how a subscription is delivered, and a later subscribe of the other kind replaces it', async () => {
    const { hub, attempts } = makeHub()
    await hub.subscribe('c1', 'alerts:x', 'message')
    await hub.publish('alerts:x', 1)
    await hub.subscribe('c1', 'alerts:x')
    await hub.publish('alerts:x', 2)
    expect(attempts.map(([id, event, delivery]) => [id, event.seq, delivery])).toStrictEqual([
      ['c1', 1, 'message'],
      ['c1', 2, 'event'],
    ])
  })
})

describe('connections that are gone', () => {
  it('a deliver returning false drops all of that connection’s subscriptions', async () => {
    const { hub, store, gone, attempts, take } = makeHub()
    await hub.subscribe('alive', 'alerts:x')
    await hub.subscribe('dead', 'alerts:x')
    await hub.subscribe('dead', 'alerts:*')
    await hub.subscribe('dead', 'staff')
    gone.add('dead')
    expect(await hub.publish('alerts:x', 1)).toStrictEqual({ seq: 1, delivered: 1 })
    expect(take()).toStrictEqual(['alive', 'dead'])
    await Promise.resolve()
    expect(store.subscribersOf('alerts:x')).toStrictEqual([['alive', 'event']])
    expect(store.patternSubscriptions()).toStrictEqual([])
    expect(store.subscribersOf('staff')).toStrictEqual([])
    expect(await hub.publish('alerts:x', 2)).toStrictEqual({ seq: 2, delivered: 1 })
    expect(await hub.publish('staff', 2)).toStrictEqual({ seq: 3, delivered: 0 })
    expect(attempts.map(([id]) => id)).toStrictEqual(['alive'])
  })
})

describe('refused publishes', () => {
  it('a pattern: INVALID_INPUT, which a handler can catch, before anything is delivered', async () => {
    const { hub, attempts } = makeHub()
    expect(await inputError(hub.publish('alerts:*', 1))).toBe('eventHub: "alerts:*" is a pattern; publish to a concrete topic')
    await expect(hub.deliverLocal('alerts:*', 1)).rejects.toThrow('eventHub: "alerts:*" is a pattern; publish to a concrete topic')
    expect(attempts).toStrictEqual([])
  })

  it('a malformed topic: INVALID_INPUT', async () => {
    const { hub } = makeHub()
    expect(await inputError(hub.publish('bad topic!', 1))).toBe(
      'eventHub: "bad topic!" is not a topic: use segments of letters, digits, ".", "_" or "-" separated by ":", and ":*" at the end for a pattern',
    )
    expect(await inputError(hub.publish('', 1))).toBe('eventHub: a topic must be a non-empty string')
    expect(await inputError(hub.publish(42 as never, 1))).toBe('eventHub: a topic must be a non-empty string')
  })

  it('a payload failing the topic schema: a plain Error naming the topic, nothing delivered or logged', async () => {
    const { hub, store, attempts } = makeHub()
    await hub.subscribe('c1', 'chat:message')
    const error = await plainError(hub.publish('chat:message', { words: 'no text' }))
    expect(error.message).toMatch(/^eventHub: Event for "chat:message" is invalid: /)
    // The publisher's bug: not a ChannelError, so a handler's client sees INTERNAL.
    expect(error).toBeInstanceOf(EventHubError)
    expect(error).not.toBeInstanceOf(ChannelError)
    expect(attempts).toStrictEqual([])
    expect(store.events).toStrictEqual([])
  })

  it('a payload passing the schema is published as the schema outputs it', async () => {
    const { hub, attempts, store } = makeHub()
    await hub.subscribe('c1', 'shout')
    await hub.publish('shout', 'hello')
    expect(attempts[0]![1].data).toBe('HELLO')
    expect(attempts[0]![1].frame).toBe('{"type":"event","topic":"shout","data":"HELLO","seq":1}')
    expect(store.events[0]!.data).toBe('"HELLO"')
  })
})

describe('binary payloads', () => {
  it('make a header frame with "binary":true and no data, and carry the bytes', async () => {
    const { hub, attempts, store } = makeHub()
    await hub.subscribe('c1', 'alerts:*')
    await hub.subscribe('c2', 'alerts:bin')
    const bytes = new Uint8Array([1, 2, 3])
    expect(await hub.publish('alerts:bin', bytes)).toStrictEqual({ seq: 1, delivered: 2 })
    const event = attempts[0]![1]
    expect(attempts[1]![1]).toBe(event)
    expect(event).toStrictEqual({ topic: 'alerts:bin', seq: 1, bytes, frame: '{"type":"event","topic":"alerts:bin","seq":1,"binary":true}' })
    expect(event.bytes).toBe(bytes)
    expect(JSON.parse(event.frame)).toStrictEqual({ type: 'event', topic: 'alerts:bin', seq: 1, binary: true })
    expect(store.events).toStrictEqual([{ seq: 1, topic: 'alerts:bin', data: bytes, at: expect.any(Number) }])
  })

  it('accepts an ArrayBuffer as bytes', async () => {
    const { hub, attempts } = makeHub()
    await hub.subscribe('c1', 'alerts:bin')
    await hub.publish('alerts:bin', new Uint8Array([4, 5]).buffer)
    expect(attempts[0]![1].bytes).toStrictEqual(new Uint8Array([4, 5]))
    expect(attempts[0]![1].frame).toBe('{"type":"event","topic":"alerts:bin","seq":1,"binary":true}')
  })

  it('bypass the topic schema (a schema describes JSON payloads)', async () => {
    const { hub, attempts } = makeHub()
    await hub.subscribe('c1', 'chat:message')
    expect((await hub.publish('chat:message', new Uint8Array([1]))).delivered).toBe(1)
    expect(attempts[0]![1].bytes).toStrictEqual(new Uint8Array([1]))
  })
})

describe('subscription caps', () => {
  const caps = { perConnection: 3, perInstance: 5 }
  const limitOf = async (subscribing: Promise<void>) => {
    const error = await subscribing.then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeInstanceOf(ChannelError)
    return error as ChannelError
  }

  it('refuses a connection one subscription past its cap, with LIMIT_REACHED naming the setting', async () => {
    const { hub, store } = makeHub(TOPICS, { subscriptionCaps: caps })
    for (const topic of ['alerts:a', 'alerts:b', 'region:*']) await hub.subscribe('c1', topic)
    const error = await limitOf(hub.subscribe('c1', 'alerts:c'))
    expect(error.code).toBe('LIMIT_REACHED')
    expect(error.message).toContain('maximum of 3 subscriptions')
    expect(error.message).toContain('maxSubscriptions')
    expect(store.countSubscriptions('c1')).toBe(3)
    // Another connection is not held to c1's count.
    await hub.subscribe('c2', 'alerts:c')
  })

  it('lets a connection at its cap subscribe again to what it holds, and subscribe anew after unsubscribing', async () => {
    const { hub } = makeHub(TOPICS, { subscriptionCaps: caps })
    for (const topic of ['alerts:a', 'alerts:b', 'alerts:c']) await hub.subscribe('c1', topic)
    await hub.subscribe('c1', 'alerts:a')
    await hub.subscribe('c1', 'alerts:a', 'message')
    await hub.unsubscribe('c1', 'alerts:b')
    await hub.subscribe('c1', 'alerts:d')
    await limitOf(hub.subscribe('c1', 'alerts:e'))
  })

  it('refuses past the instance cap, counting what was stored before a wake, and frees room as connections go', async () => {
    const store = new MemoryHubStore()
    const first = makeHub(TOPICS, { subscriptionCaps: caps }, store).hub
    for (const [id, topic] of [['c1', 'alerts:a'], ['c1', 'alerts:b'], ['c2', 'alerts:a'], ['c2', 'alerts:b']] as const) await first.subscribe(id, topic)
    // A new hub on the same store: what the object finds after hibernation.
    const { hub } = makeHub(TOPICS, { subscriptionCaps: caps }, store)
    await hub.subscribe('c3', 'alerts:a')
    const error = await limitOf(hub.subscribe('c3', 'alerts:b'))
    expect(error.message).toContain('maxInstanceSubscriptions')
    await hub.dropConnection('c1')
    await hub.subscribe('c3', 'alerts:b')
    await hub.subscribe('c3', 'alerts:c')
    await limitOf(hub.subscribe('c4', 'alerts:a'))
  })

  it('defaults to 256 a connection and 100,000 an instance', async () => {
    const { hub } = makeHub()
    for (let i = 0; i < 256; i++) await hub.subscribe('c1', `alerts:${i}`)
    await limitOf(hub.subscribe('c1', 'alerts:256'))
  })
})

describe('size limits', () => {
  const MiB = 1024 * 1024
  const LOGGED_LIMIT = `eventHub: an event for "alerts:big" is larger than ${MiB} bytes, the limit for events kept for replay (set replay: false on the topic for larger ones)`

  it('the limit for logged events is 1 MiB of encoded JSON', async () => {
    expect(MAX_LOGGED_EVENT_BYTES).toBe(MiB)
    const { hub, attempts, store } = makeHub()
    await hub.subscribe('c1', 'alerts:*')
    // JSON adds two quotes.
    const error = await plainError(hub.publish('alerts:big', 'x'.repeat(MiB - 1)))
    expect(error.message).toBe(LOGGED_LIMIT)
    expect(attempts).toStrictEqual([])
    expect(store.events).toStrictEqual([])
    expect((await hub.publish('alerts:big', 'x'.repeat(MiB - 2))).delivered).toBe(1)
  })

  it('counts bytes, not characters', async () => {
    const { hub } = makeHub()
    // 600k two-byte characters: under 1 MiB of characters, over 1 MiB of UTF-8.
    expect((await plainError(hub.publish('alerts:big', 'é'.repeat(600_000)))).message).toBe(LOGGED_LIMIT)
  })

  it('applies to bytes too', async () => {
    const { hub } = makeHub()
    await expect(hub.deliverLocal('alerts:big', new Uint8Array(MiB + 1))).rejects.toThrow(LOGGED_LIMIT)
    expect((await hub.deliverLocal('alerts:big', new Uint8Array(MiB))).seq).toBe(1)
  })

  it('a topic with replay: false, or a channel without a log, accepts larger events up to the platform limit', async () => {
    const { hub, attempts } = makeHub()
    await hub.subscribe('c1', 'bulk')
    const big = 'y'.repeat(2 * MiB)
    expect(await hub.publish('bulk', big)).toStrictEqual({ seq: 1, delivered: 1 })
    expect(attempts[0]![1].frame.length).toBe(2 * MiB + '{"type":"event","topic":"bulk","data":"","seq":1}'.length)

    const unlogged = makeHub(TOPICS, { replay: false })
    expect((await unlogged.hub.publish('alerts:big', big)).seq).toBe(1)

    const limit = PLATFORM_MAX_MESSAGE_SIZE - 1024
    await expect(hub.deliverLocal('bulk', new Uint8Array(limit + 1))).rejects.toThrow(`eventHub: an event for "bulk" is larger than ${limit} bytes, the platform limit`)
    expect((await hub.deliverLocal('bulk', new Uint8Array(limit))).seq).toBe(2)
  })
})

describe('global topics', () => {
  it('register the key on its first subscription (exact or pattern); later new ones renew it in the background', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:eu')
    expect(global.register.mock.calls).toStrictEqual([['region:*']])
    await hub.subscribe('c2', 'region:us')
    await hub.subscribe('c3', 'region:*')
    await hub.subscribe('c1', 'region:eu')
    expect(global.register).toHaveBeenCalledTimes(1)
    // Two new subscriptions renew; subscribing to the same topic again does not.
    expect(global.renew.mock.calls).toStrictEqual([['region:*'], ['region:*']])
    await hub.subscribe('c1', 'announcements')
    await hub.subscribe('c2', 'announcements')
    expect(global.register.mock.calls).toStrictEqual([['region:*'], ['announcements']])
    expect(global.renew.mock.calls.at(-1)).toStrictEqual(['announcements'])
    // Local topics never reach the bridge.
    await hub.subscribe('c1', 'alerts:x')
    expect(global.register).toHaveBeenCalledTimes(2)
    expect(global.renew).toHaveBeenCalledTimes(3)
    expect(global.unregister).not.toHaveBeenCalled()
  })

  it('register on a pattern subscription first, too', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:*')
    expect(global.register.mock.calls).toStrictEqual([['region:*']])
    await hub.subscribe('c2', 'region:eu')
    expect(global.register).toHaveBeenCalledTimes(1)
  })

  it('unregister when the last subscription under the key is unsubscribed', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:eu')
    await hub.subscribe('c2', 'region:*')
    await hub.unsubscribe('c1', 'region:eu')
    expect(global.unregister).not.toHaveBeenCalled()
    expect(await hub.unsubscribe('c1', 'region:eu')).toBe(false)
    expect(global.unregister).not.toHaveBeenCalled()
    await hub.unsubscribe('c2', 'region:*')
    expect(global.unregister.mock.calls).toStrictEqual([['region:*']])
    // A new first subscription registers again.
    await hub.subscribe('c3', 'region:x')
    expect(global.register).toHaveBeenCalledTimes(2)
  })

  it('unregister each emptied key once when the last connection is dropped', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:eu')
    await hub.subscribe('c1', 'region:us')
    await hub.subscribe('c1', 'announcements')
    await hub.subscribe('c1', 'alerts:x')
    await hub.subscribe('c2', 'announcements')
    await hub.dropConnection('c1')
    expect(global.unregister.mock.calls).toStrictEqual([['region:*']])
    await hub.dropConnection('c2')
    expect(global.unregister.mock.calls).toStrictEqual([['region:*'], ['announcements']])
    await hub.dropConnection('c2')
    expect(global.unregister).toHaveBeenCalledTimes(2)
  })

  it('a gone connection found by a publish unregisters too', async () => {
    const global = bridge()
    const { hub, gone } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'announcements')
    gone.add('c1')
    expect((await hub.deliverLocal('announcements', 1)).delivered).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(global.unregister.mock.calls).toStrictEqual([['announcements']])
  })

  it('a global publish carries the connection to skip (skipSender) to the bridge, for every instance to honour', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:eu')
    await hub.publish('region:eu', { text: 'not back to me' }, { skip: 'c1' })
    expect(global.publish.mock.calls).toStrictEqual([['region:*', 'region:eu', { text: 'not back to me' }, 'c1', true]])
  })

  it('an event a coordinator delivers here skips the connection it names', async () => {
    const { hub, take } = makeHub(TOPICS, { global: bridge() })
    await hub.subscribe('c1', 'region:eu')
    await hub.subscribe('c2', 'region:eu')
    expect((await hub.deliverLocal('region:eu', { text: 'hi' }, { skip: 'c1' })).delivered).toBe(1)
    expect(take()).toStrictEqual(['c2'])
  })

  it('publish goes to the bridge (validated), not to local subscribers, and takes no local number', async () => {
    const global = bridge()
    const { hub, attempts, store } = makeHub({ ...TOPICS, 'typed:*': { global: true, schema: v.pipe(v.number(), v.transform((n) => n * 2)) } }, { global })
    await hub.subscribe('c1', 'region:eu')
    await hub.subscribe('c1', 'typed:a')
    expect(await hub.publish('region:eu', { text: 'all' })).toStrictEqual({ delivered: 0 })
    expect(global.publish.mock.calls).toStrictEqual([['region:*', 'region:eu', { text: 'all' }, undefined, true]])
    await hub.publish('typed:a', 21)
    expect(global.publish.mock.calls[1]).toStrictEqual(['typed:*', 'typed:a', 42, undefined, true])
    await plainError(hub.publish('typed:a', 'not a number'))
    expect(global.publish).toHaveBeenCalledTimes(2)
    expect(attempts).toStrictEqual([])
    expect(store.events).toStrictEqual([])
    expect(hub.head()).toBe(0)
  })

  it('publishHere delivers locally (what the coordinator calls), with a number and a log entry', async () => {
    const global = bridge()
    const { hub, take, store } = makeHub(TOPICS, { global })
    await hub.subscribe('c1', 'region:eu')
    await hub.subscribe('c2', 'region:*')
    expect(await hub.deliverLocal('region:eu', 'local')).toStrictEqual({ seq: 1, delivered: 2 })
    expect(take()).toStrictEqual(['c1', 'c2'])
    expect(store.events.map((e) => e.topic)).toStrictEqual(['region:eu'])
    expect(global.publish).not.toHaveBeenCalled()
  })

  it('without a bridge, a global topic is published locally', async () => {
    const { hub, take } = makeHub()
    await hub.subscribe('c1', 'announcements')
    expect(await hub.publish('announcements', 1)).toStrictEqual({ seq: 1, delivered: 1 })
    expect(take()).toStrictEqual(['c1'])
  })

  it('registers a global pattern key even when a narrower local declaration under it already has subscribers', async () => {
    const global = bridge()
    const { hub } = makeHub({ 'feed:*': { global: true }, 'feed:local:*': {} }, { global })
    await hub.subscribe('c1', 'feed:local:x')
    expect(global.register).not.toHaveBeenCalled()
    await hub.subscribe('c2', 'feed:a')
    expect(global.register.mock.calls).toStrictEqual([['feed:*']])
  })

  it('a global publish says whether this instance holds subscribers of the topic (so a dropped instance registers again)', async () => {
    const global = bridge()
    const { hub } = makeHub(TOPICS, { global })
    await hub.publish('region:eu', 'nobody here')
    await hub.subscribe('c1', 'region:*')
    await hub.publish('region:eu', 'a pattern holds it')
    await hub.unsubscribe('c1', 'region:*')
    await hub.publish('region:eu', 'gone again')
    expect(global.publish.mock.calls.map((call) => call[4])).toStrictEqual([false, true, false])
  })
})

describe('declared', () => {
  it('returns the governing declaration: an exact key, else the narrowest pattern', () => {
    const { hub } = makeHub({ 'a:*': { replay: false }, 'a:b:*': {}, 'a:b:c': { global: true } })
    expect(hub.declarationOf('a:b:c')).toStrictEqual({ key: 'a:b:c', spec: { global: true } })
    expect(hub.declarationOf('a:b:d')).toStrictEqual({ key: 'a:b:*', spec: {} })
    expect(hub.declarationOf('a:x')).toStrictEqual({ key: 'a:*', spec: { replay: false } })
    expect(hub.declarationOf('a:b:*', true)).toStrictEqual({ key: 'a:b:*', spec: {} })
    expect(() => hub.declarationOf('a:b:*')).toThrow('eventHub: "a:b:*" is a pattern; publish to a concrete topic')
  })
})
