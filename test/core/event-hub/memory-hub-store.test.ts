import { describe, expect, it } from 'vitest'
import type { LoggedEvent } from '../../../src/core/event-hub/hub-store'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'

const event = (seq: number, at = seq, topic = 't'): LoggedEvent => ({ seq, topic, data: String(seq), at })

describe('MemoryHubStore subscriptions', () => {
  it('adds once per (topic, connection) and says whether it added', () => {
    const store = new MemoryHubStore()
    expect(store.addSubscription('a', 'c1')).toBe(true)
    expect(store.addSubscription('a', 'c1')).toBe(false)
    expect(store.addSubscription('a', 'c2')).toBe(true)
    expect(store.addSubscription('b', 'c1')).toBe(true)
    expect(store.subscribersOf('a')).toStrictEqual(['c1', 'c2'])
    expect(store.subscribersOf('b')).toStrictEqual(['c1'])
    expect(store.subscribersOf('nobody')).toStrictEqual([])
  })

  it('removes and says whether there was something to remove; an emptied topic leaves the map', () => {
    const store = new MemoryHubStore()
    store.addSubscription('a', 'c1')
    expect(store.removeSubscription('a', 'c2')).toBe(false)
    expect(store.removeSubscription('b', 'c1')).toBe(false)
    expect(store.removeSubscription('a', 'c1')).toBe(true)
    expect(store.removeSubscription('a', 'c1')).toBe(false)
    expect(store.subscriptions.has('a')).toBe(false)
    expect(store.subscribersOf('a')).toStrictEqual([])
  })

  it('removes every subscription of one connection, returning their topics, and leaves the others', () => {
    const store = new MemoryHubStore()
    store.addSubscription('a', 'c1')
    store.addSubscription('news:*', 'c1')
    store.addSubscription('a', 'c2')
    store.addSubscription('b', 'c2')
    expect(store.removeSubscriptions('c1').sort()).toStrictEqual(['a', 'news:*'])
    expect(store.removeSubscriptions('c1')).toStrictEqual([])
    expect(store.subscribersOf('a')).toStrictEqual(['c2'])
    expect(store.subscribersOf('b')).toStrictEqual(['c2'])
    expect([...store.subscriptions.keys()].sort()).toStrictEqual(['a', 'b'])
  })

  it('lists pattern subscriptions (and only those) as [pattern, channelId]', () => {
    const store = new MemoryHubStore()
    store.addSubscription('news:*', 'c1')
    store.addSubscription('news:*', 'c2')
    store.addSubscription('*', 'c3')
    store.addSubscription('news:eu', 'c4')
    store.addSubscription('news*', 'c5')
    expect(store.patternSubscriptions().sort()).toStrictEqual([
      ['*', 'c3'],
      ['news:*', 'c1'],
      ['news:*', 'c2'],
    ])
  })

  it('lists the subscribed topics under a key: exact, prefix pattern, or everything', () => {
    const store = new MemoryHubStore()
    store.addSubscription('news:eu', 'c1')
    store.addSubscription('news:eu', 'c2')
    store.addSubscription('news:*', 'c1')
    store.addSubscription('news:eu:*', 'c3')
    store.addSubscription('newsy', 'c1')
    store.addSubscription('staff', 'c4')
    expect(store.topicsUnder('news:*').sort()).toEqual(['news:*', 'news:eu', 'news:eu:*'])
    expect(store.topicsUnder('news:eu:*')).toEqual(['news:eu:*'])
    expect(store.topicsUnder('news:eu')).toEqual(['news:eu'])
    expect(store.topicsUnder('staff')).toEqual(['staff'])
    expect(store.topicsUnder('staf')).toEqual([])
    expect(store.topicsUnder('*').sort()).toEqual(['news:*', 'news:eu', 'news:eu:*', 'newsy', 'staff'])
  })
})

describe('MemoryHubStore sequence and trim markers', () => {
  it('starts at 0 and keeps what it is told', () => {
    const store = new MemoryHubStore()
    expect(store.seqCeiling()).toBe(0)
    expect(store.trimmedThrough()).toBe(0)
    store.setSeqCeiling(2048)
    store.setTrimmedThrough(17)
    expect(store.seqCeiling()).toBe(2048)
    expect(store.trimmedThrough()).toBe(17)
  })
})

describe('MemoryHubStore replay log', () => {
  it('appends and returns events after a sequence, oldest first', () => {
    const store = new MemoryHubStore()
    for (const seq of [1, 2, 4, 7]) store.appendEvent(event(seq))
    expect(store.logSize()).toBe(4)
    expect(store.eventsAfter(0).map((e) => e.seq)).toStrictEqual([1, 2, 4, 7])
    expect(store.eventsAfter(2).map((e) => e.seq)).toStrictEqual([4, 7])
    expect(store.eventsAfter(3).map((e) => e.seq)).toStrictEqual([4, 7])
    expect(store.eventsAfter(7)).toStrictEqual([])
    expect(store.eventsAfter(1)[0]).toStrictEqual({ seq: 2, topic: 't', data: '2', at: 2 })
  })

  it('trims by count, returning the highest sequence forgotten', () => {
    const store = new MemoryHubStore()
    for (let seq = 1; seq <= 10; seq++) store.appendEvent(event(seq))
    expect(store.trim(4, 0)).toBe(6)
    expect(store.events.map((e) => e.seq)).toStrictEqual([7, 8, 9, 10])
    expect(store.trim(4, 0)).toBe(0)
    expect(store.logSize()).toBe(4)
  })

  it('trims by age: events before notBefore go, one at notBefore stays', () => {
    const store = new MemoryHubStore()
    for (let seq = 1; seq <= 5; seq++) store.appendEvent(event(seq, seq * 100))
    expect(store.trim(100, 300)).toBe(2)
    expect(store.events.map((e) => e.seq)).toStrictEqual([3, 4, 5])
    expect(store.trim(100, 10_000)).toBe(5)
    expect(store.logSize()).toBe(0)
    expect(store.trim(100, 10_000)).toBe(0)
  })

  it('applies both bounds at once', () => {
    const store = new MemoryHubStore()
    for (let seq = 1; seq <= 6; seq++) store.appendEvent(event(seq, seq * 100))
    // Count alone would keep 3..6; age alone would keep 2..6.
    expect(store.trim(4, 200)).toBe(2)
    expect(store.events.map((e) => e.seq)).toStrictEqual([3, 4, 5, 6])
    expect(store.trim(2, 450)).toBe(4)
    expect(store.events.map((e) => e.seq)).toStrictEqual([5, 6])
  })

  it('keeps binary events as bytes', () => {
    const store = new MemoryHubStore()
    store.appendEvent({ seq: 1, topic: 'b', data: new Uint8Array([1, 2]), at: 0 })
    expect(store.eventsAfter(0)[0]!.data).toStrictEqual(new Uint8Array([1, 2]))
  })
})
