import { describe, expect, it } from 'vitest'
import type { HubStore, LoggedEvent } from '../../../src/core/event-hub/hub-store'

/** Runs `body` with a fresh, empty store (inside whatever context the store needs, e.g. a Durable Object). */
export type WithStore = (body: (store: HubStore) => void | Promise<void>) => Promise<void>

const event = (seq: number, at = seq, topic = 't'): LoggedEvent => ({ seq, topic, data: String(seq), at })
const seqs = (events: LoggedEvent[]) => events.map((e) => e.seq)
/** The channel ids of `subscribersOf`, sorted. */
const ids = (subscribers: [string, unknown][]) => subscribers.map(([id]) => id).sort()

/**
 * What every `HubStore` must do, whatever keeps the data: run against
 * `MemoryHubStore` in Node and `SqlHubStore` inside workerd, so the test double
 * cannot drift from the store production uses.
 */
export function hubStoreContract(name: string, withStore: WithStore): void {
  describe(`${name}: subscriptions`, () => {
    it('adds once per (topic, connection) and says whether it added', () =>
      withStore((store) => {
        expect(store.addSubscription('a', 'c1', 'event')).toBe(true)
        expect(store.addSubscription('a', 'c1', 'event')).toBe(false)
        expect(store.addSubscription('a', 'c2', 'event')).toBe(true)
        expect(store.addSubscription('b', 'c1', 'event')).toBe(true)
        expect(ids(store.subscribersOf('a'))).toStrictEqual(['c1', 'c2'])
        expect(ids(store.subscribersOf('b'))).toStrictEqual(['c1'])
        expect(ids(store.subscribersOf('nobody'))).toStrictEqual([])
      }))

    it('keeps how each subscription is delivered; subscribing again another way changes it', () =>
      withStore((store) => {
        expect(store.addSubscription('a', 'c1', 'message')).toBe(true)
        expect(store.addSubscription('a', 'c1', 'message')).toBe(false)
        store.addSubscription('a', 'c2', 'event')
        store.addSubscription('a:*', 'c1', 'message')
        expect(store.subscribersOf('a').sort()).toStrictEqual([
          ['c1', 'message'],
          ['c2', 'event'],
        ])
        expect(store.addSubscription('a', 'c1', 'event')).toBe(true)
        expect(store.subscribersOf('a').sort()).toStrictEqual([
          ['c1', 'event'],
          ['c2', 'event'],
        ])
        expect(store.patternSubscriptions()).toStrictEqual([['a:*', 'c1', 'message']])
      }))

    it('says whether a connection holds a subscription, and counts them per connection and in all', () =>
      withStore((store) => {
        expect(store.countSubscriptions()).toBe(0)
        store.addSubscription('a', 'c1', 'event')
        store.addSubscription('a:*', 'c1', 'message')
        store.addSubscription('a', 'c2', 'event')
        store.addSubscription('a', 'c2', 'message') // changed, not added
        expect([store.hasSubscription('a', 'c1'), store.hasSubscription('a:*', 'c1'), store.hasSubscription('a:*', 'c2'), store.hasSubscription('b', 'c1')]).toStrictEqual([true, true, false, false])
        expect([store.countSubscriptions('c1'), store.countSubscriptions('c2'), store.countSubscriptions('nobody'), store.countSubscriptions()]).toStrictEqual([2, 1, 0, 3])
        store.removeSubscriptions('c1')
        expect([store.countSubscriptions('c1'), store.countSubscriptions()]).toStrictEqual([0, 1])
      }))

    it('removes and says whether there was something to remove', () =>
      withStore((store) => {
        store.addSubscription('a', 'c1', 'event')
        expect(store.removeSubscription('a', 'c2')).toBe(false)
        expect(store.removeSubscription('b', 'c1')).toBe(false)
        expect(store.removeSubscription('a', 'c1')).toBe(true)
        expect(store.removeSubscription('a', 'c1')).toBe(false)
        expect(ids(store.subscribersOf('a'))).toStrictEqual([])
        expect(store.topicsUnder('*')).toStrictEqual([])
      }))

    it('removes every subscription of one connection, returning their topics, and leaves the others', () =>
      withStore((store) => {
        store.addSubscription('a', 'c1', 'event')
        store.addSubscription('news:*', 'c1', 'event')
        store.addSubscription('a', 'c2', 'event')
        store.addSubscription('b', 'c2', 'event')
        expect(store.removeSubscriptions('c1').sort()).toStrictEqual(['a', 'news:*'])
        expect(store.removeSubscriptions('c1')).toStrictEqual([])
        expect(ids(store.subscribersOf('a'))).toStrictEqual(['c2'])
        expect(ids(store.subscribersOf('b'))).toStrictEqual(['c2'])
        expect(store.topicsUnder('*').sort()).toStrictEqual(['a', 'b'])
      }))

    it('lists pattern subscriptions (and only those) as [pattern, channelId]', () =>
      withStore((store) => {
        store.addSubscription('news:*', 'c1', 'event')
        store.addSubscription('news:*', 'c2', 'event')
        store.addSubscription('*', 'c3', 'event')
        store.addSubscription('news:eu', 'c4', 'event')
        store.addSubscription('news*', 'c5', 'event')
        expect(store.patternSubscriptions().sort()).toStrictEqual([
          ['*', 'c3', 'event'],
          ['news:*', 'c1', 'event'],
          ['news:*', 'c2', 'event'],
        ])
      }))

    it('lists the subscribed topics under a key: exact, prefix pattern, or everything', () =>
      withStore((store) => {
        store.addSubscription('news:eu', 'c1', 'event')
        store.addSubscription('news:eu', 'c2', 'event')
        store.addSubscription('news:*', 'c1', 'event')
        store.addSubscription('news:eu:*', 'c3', 'event')
        store.addSubscription('newsy', 'c1', 'event')
        store.addSubscription('staff', 'c4', 'event')
        expect(store.topicsUnder('news:*').sort()).toEqual(['news:*', 'news:eu', 'news:eu:*'])
        expect(store.topicsUnder('news:eu:*')).toEqual(['news:eu:*'])
        expect(store.topicsUnder('news:eu')).toEqual(['news:eu'])
        expect(store.topicsUnder('staff')).toEqual(['staff'])
        expect(store.topicsUnder('staf')).toEqual([])
        expect(store.topicsUnder('*').sort()).toEqual(['news:*', 'news:eu', 'news:eu:*', 'newsy', 'staff'])
      }))

    it('keeps topics with characters that mean something to SQL (GLOB, LIKE, quotes) as plain text', () =>
      withStore((store) => {
        store.addSubscription("it's:a", 'c1', 'event')
        store.addSubscription('a_b:c', 'c2', 'event')
        store.addSubscription('a%b:*', 'c3', 'event')
        expect(ids(store.subscribersOf("it's:a"))).toStrictEqual(['c1'])
        expect(store.topicsUnder('a_b:*')).toStrictEqual(['a_b:c'])
        expect(store.topicsUnder('axb:*')).toStrictEqual([])
        expect(store.patternSubscriptions()).toStrictEqual([['a%b:*', 'c3', 'event']])
      }))
  })

  describe(`${name}: sequence and trim markers`, () => {
    it('start at 0 and keep what they are told', () =>
      withStore((store) => {
        expect(store.seqCeiling()).toBe(0)
        expect(store.trimmedThrough()).toBe(0)
        store.setSeqCeiling(2048)
        store.setTrimmedThrough(17)
        expect(store.seqCeiling()).toBe(2048)
        expect(store.trimmedThrough()).toBe(17)
        store.setSeqCeiling(4096)
        expect(store.seqCeiling()).toBe(4096)
      }))
  })

  describe(`${name}: replay log`, () => {
    it('appends and returns events after a sequence, oldest first', () =>
      withStore((store) => {
        for (const seq of [1, 2, 4, 7]) store.appendEvent(event(seq))
        expect(store.logSize()).toBe(4)
        expect(seqs(store.eventsAfter(0))).toStrictEqual([1, 2, 4, 7])
        expect(seqs(store.eventsAfter(2))).toStrictEqual([4, 7])
        expect(seqs(store.eventsAfter(3))).toStrictEqual([4, 7])
        expect(store.eventsAfter(7)).toStrictEqual([])
        expect(store.eventsAfter(1)[0]).toStrictEqual({ seq: 2, topic: 't', data: '2', at: 2 })
      }))

    it('trims by count, returning the highest sequence forgotten', () =>
      withStore((store) => {
        for (let seq = 1; seq <= 10; seq++) store.appendEvent(event(seq))
        expect(store.trim(4, 0)).toBe(6)
        expect(seqs(store.eventsAfter(0))).toStrictEqual([7, 8, 9, 10])
        expect(store.trim(4, 0)).toBe(0)
        expect(store.logSize()).toBe(4)
      }))

    it('trims by age: events before notBefore go, one at notBefore stays', () =>
      withStore((store) => {
        for (let seq = 1; seq <= 5; seq++) store.appendEvent(event(seq, seq * 100))
        expect(store.trim(100, 300)).toBe(2)
        expect(seqs(store.eventsAfter(0))).toStrictEqual([3, 4, 5])
        expect(store.trim(100, 10_000)).toBe(5)
        expect(store.logSize()).toBe(0)
        expect(store.trim(100, 10_000)).toBe(0)
      }))

    it('applies both bounds at once', () =>
      withStore((store) => {
        for (let seq = 1; seq <= 6; seq++) store.appendEvent(event(seq, seq * 100))
        // Count alone would keep 3..6; age alone would keep 2..6.
        expect(store.trim(4, 200)).toBe(2)
        expect(seqs(store.eventsAfter(0))).toStrictEqual([3, 4, 5, 6])
        expect(store.trim(2, 450)).toBe(4)
        expect(seqs(store.eventsAfter(0))).toStrictEqual([5, 6])
      }))

    it('keeps binary events as bytes and text events as text', () =>
      withStore((store) => {
        store.appendEvent({ seq: 1, topic: 'b', data: new Uint8Array([1, 2]), at: 0 })
        store.appendEvent({ seq: 2, topic: 't', data: '{"a":1}', at: 0 })
        const [bytes, text] = store.eventsAfter(0)
        expect(bytes!.data).toStrictEqual(new Uint8Array([1, 2]))
        expect(text!.data).toBe('{"a":1}')
      }))
  })
}
