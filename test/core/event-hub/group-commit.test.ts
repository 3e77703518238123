import { describe, expect, it } from 'vitest'
import { EventHub } from '../../../src/core/event-hub/event-hub'
import { GroupCommit } from '../../../src/core/event-hub/group-commit'
import type { LoggedEvent } from '../../../src/core/event-hub/hub-store'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import type { PreparedEvent } from '../../../src/core/event-hub/prepared-event'

// Logged publishes from many events share one write (so one storage commit), and nothing is
// announced, to subscribers or to the publisher, before its row is written.

/** A `shareCommits` whose flushes run when the test says, like the host's macrotask. */
function manualFlush() {
  const flushes: (() => void)[] = []
  return {
    shareCommits: (flush: () => void) => void flushes.push(flush),
    pending: () => flushes.length,
    flush: () => flushes.splice(0).forEach((flush) => flush()),
  }
}

const event = (seq: number, topic = 'chat'): LoggedEvent => ({ seq, topic, data: `{"n":${seq}}`, at: 0 })

describe('GroupCommit', () => {
  it('writes the events of many publishes in one write, then releases them in order', async () => {
    const writes: number[][] = []
    const released: number[] = []
    const clock = manualFlush()
    const commits = new GroupCommit((events) => writes.push(events.map((e) => e.seq)), clock.shareCommits)
    const results = [1, 2, 3].map((seq) => commits.run(event(seq), () => (released.push(seq), seq)))
    expect(writes).toEqual([])
    expect(released).toEqual([])
    expect(clock.pending()).toBe(1) // one flush for the whole batch
    clock.flush()
    expect(writes).toEqual([[1, 2, 3]])
    expect(released).toEqual([1, 2, 3])
    expect(await Promise.all(results)).toEqual([1, 2, 3])
  })

  it('lets an unlogged publish go at once when nothing waits, and behind logged ones when they do', async () => {
    const released: string[] = []
    const clock = manualFlush()
    const commits = new GroupCommit(() => {}, clock.shareCommits)
    expect(commits.run(undefined, () => released.push('a'))).toBe(1)
    void commits.run(event(2), () => released.push('logged'))
    void commits.run(undefined, () => released.push('b'))
    expect(released).toEqual(['a'])
    clock.flush()
    expect(released).toEqual(['a', 'logged', 'b'])
  })

  it('without shareCommits writes and releases each publish at once', () => {
    const writes: number[][] = []
    const commits = new GroupCommit((events) => writes.push(events.map((e) => e.seq)), undefined)
    expect(commits.run(event(1), () => 'one')).toBe('one')
    expect(writes).toEqual([[1]])
  })

  it('announces nothing of a batch whose write fails, and tells each publisher why', async () => {
    const released: number[] = []
    const clock = manualFlush()
    const commits = new GroupCommit(() => {
      throw new Error('disk full')
    }, clock.shareCommits)
    const results = [1, 2].map((seq) => commits.run(event(seq), () => released.push(seq)))
    clock.flush()
    for (const result of results) await expect(result).rejects.toThrow('disk full')
    expect(released).toEqual([])
    // The next publish starts a new batch.
    void commits.run(event(3), () => released.push(3))
    expect(clock.pending()).toBe(1)
  })
})

describe('an EventHub sharing commits', () => {
  function hub() {
    const clock = manualFlush()
    const store = new MemoryHubStore()
    const deliveries: [string, PreparedEvent][] = []
    const eventHub = new EventHub('room', { chat: {}, typing: { replay: false } }, store, (channelId, e) => (deliveries.push([channelId, e]), true), { shareCommits: clock.shareCommits })
    return { eventHub, store, deliveries, clock }
  }

  it('delivers and answers a publish only once its row is in the log', async () => {
    const { eventHub, store, deliveries, clock } = hub()
    await eventHub.subscribe('c1', 'chat')
    let answered = false
    const publish = eventHub.publish('chat', { text: 'hi' }).then((result) => ((answered = true), result))
    await Promise.resolve()
    expect(deliveries).toEqual([])
    expect(store.events).toEqual([])
    clock.flush()
    expect(store.events.map((e) => e.seq)).toEqual([1])
    expect(deliveries.map(([id, e]) => `${id}:${e.seq}`)).toEqual(['c1:1'])
    expect(await publish).toEqual({ seq: 1, delivered: 1 })
    expect(answered).toBe(true)
  })

  it('tells a subscriber the newest released number, so that the events still waiting reach it live and are not taken for duplicates', async () => {
    const { eventHub, deliveries, clock } = hub()
    await eventHub.subscribe('c1', 'chat')
    const first = eventHub.publish('chat', 1)
    clock.flush()
    await first
    // Seq 2 waits for the next flush when c2 subscribes with since = 1.
    const waiting = eventHub.publish('chat', 2)
    await eventHub.subscribe('c2', 'chat')
    const replay = eventHub.replay('chat', 1)
    expect(replay).toEqual({ events: [], resync: false, seq: 1 })
    expect(eventHub.head()).toBe(1)
    clock.flush()
    await waiting
    // c2's client holds since = 1 and hears seq 2 live, above it.
    expect(deliveries.filter(([id]) => id === 'c2').map(([, e]) => e.seq)).toEqual([2])
    expect(eventHub.head()).toBe(2)
  })

  it('keeps sequence order across logged and unlogged topics', async () => {
    const { eventHub, deliveries, clock } = hub()
    await eventHub.subscribe('c1', '*')
    const publishes = [eventHub.publish('chat', 'a'), eventHub.publish('typing', true), eventHub.publish('chat', 'b')]
    clock.flush()
    await Promise.all(publishes)
    expect(deliveries.map(([, e]) => `${e.topic}:${e.seq}`)).toEqual(['chat:1', 'typing:2', 'chat:3'])
  })
})
