import { describe, expect, it } from 'vitest'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { mergePresence } from '../../../src/core/presence/merge'
import { MAX_SHARDS, shardsOf } from '../../../src/core/shards/options'
import { placementKey, shardOf } from '../../../src/core/shards/placement'
import { ReplayWindows } from '../../../src/core/shards/replay-windows'

const PRESENCE = { of: undefined, largeRoom: 5, sample: 2, auth: undefined }

describe('shards option', () => {
  it('defaults to 1 and takes whole numbers from 1 to the maximum', () => {
    expect(defineChannel({ name: 'a' } as never).shards).toBe(1)
    expect(defineChannel({ name: 'a', shards: 4 } as never).shards).toBe(4)
    expect(shardsOf(MAX_SHARDS, 'x')).toBe(MAX_SHARDS)
    for (const bad of [0, MAX_SHARDS + 1, 1.5, '4', -1]) expect(() => shardsOf(bad, 'channel "a"')).toThrow(`channel "a": shards must be a whole number from 1 to ${MAX_SHARDS}`)
  })
})

describe('placement', () => {
  it('is stable: the same key, the same shard, every time', () => {
    for (let i = 0; i < 100; i++) expect(shardOf(`user:${i}`, 8)).toBe(shardOf(`user:${i}`, 8))
    expect(shardOf('anything', 1)).toBe(0)
  })

  it('spreads keys evenly over the shards', () => {
    const counts = new Array(4).fill(0)
    for (let i = 0; i < 20_000; i++) counts[shardOf(crypto.randomUUID(), 4)]++
    for (const count of counts) expect(Math.abs(count - 5000)).toBeLessThan(400)
    const users = new Array(16).fill(0)
    for (let i = 0; i < 16_000; i++) users[shardOf(`user:viewer-${i}`, 16)]++
    for (const count of users) expect(Math.abs(count - 1000)).toBeLessThan(150)
  })

  it("places by the upgrade session's userId, else the resume token", () => {
    expect(placementKey({ userId: 'ada' }, 'r'.repeat(20))).toBe('user:ada')
    expect(placementKey(undefined, 'r'.repeat(20))).toBe(`resume:${'r'.repeat(20)}`)
    expect(placementKey({ name: 'x' }, undefined)).toBeUndefined()
  })
})

describe('ReplayWindows', () => {
  const event = (seq: number, topic = 'score') => ({ seq, topic })

  it('holds live events during a replay, drops what it covered, sends the rest in order', () => {
    const windows = new ReplayWindows()
    expect(windows.admit('c', event(1))).toBe(true) // no window: straight through
    windows.open('c', 'score')
    for (const seq of [4, 5, 6]) expect(windows.admit('c', event(seq))).toBe(false)
    expect(windows.admit('c', event(5, 'other'))).toBe(false)
    // The replay went up to 5: 4 and 5 of score were in it; the other topic's 5 was not.
    expect(windows.settle('c', 5)).toEqual([event(6), event(5, 'other')])
    expect(windows.size).toBe(0) // 6 is above the replay: nothing it covered can follow
  })

  it('closes at the first live event above the replay, dropping late covered ones until then', () => {
    const windows = new ReplayWindows()
    windows.open('c', 'cheer:*')
    expect(windows.settle('c', 10)).toEqual([])
    expect(windows.admit('c', event(9, 'cheer:loud'))).toBe(false) // covered by the replay, arrived late
    expect(windows.admit('c', event(9, 'score'))).toBe(true) // not covered
    expect(windows.admit('c', event(11, 'cheer:loud'))).toBe(true)
    expect(windows.size).toBe(0)
    expect(windows.admit('c', event(3, 'cheer:loud'))).toBe(true)
  })

  it('sends everything held when the replay failed (settled at 0)', () => {
    const windows = new ReplayWindows()
    windows.open('c', 'score')
    windows.admit('c', event(7))
    windows.admit('c', event(8))
    expect(windows.settle('c', 0)).toEqual([event(7), event(8)])
  })
})

describe('mergePresence', () => {
  const member = (id: string, connections = 1) => ({ id, data: id, connections })

  it("adds the shards' counts and merges members by id", () => {
    const merged = mergePresence({ count: 2, members: [member('a'), member('b')] }, [{ count: 2, members: [member('b'), member('c')] }], PRESENCE)
    expect(merged).toEqual({ count: 3, members: [member('a'), member('b', 2), member('c')] })
  })

  it('is a sample above largeRoom, or when any shard sampled', () => {
    const big = mergePresence({ count: 3, members: ['a', 'b', 'c'].map((id) => member(id)) }, [{ count: 3, members: ['d', 'e', 'f'].map((id) => member(id)) }], PRESENCE)
    expect(big).toEqual({ count: 6, members: [member('a'), member('b')], sampled: true })
    const sampled = mergePresence({ count: 1, members: [member('a')] }, [{ count: 900, members: [member('x')], sampled: true }], PRESENCE)
    expect(sampled).toEqual({ count: 901, members: [member('a'), member('x')], sampled: true })
  })
})
