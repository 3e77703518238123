import { describe, expect, it } from 'vitest'
import { verdict, type Post, type SubscriberLog } from './checker'

const posts: Post[] = [
  { client: 'p1', n: 1, outcome: 'acked' },
  { client: 'p1', n: 2, outcome: 'acked' },
  { client: 'p2', n: 1, outcome: 'maybe' },
]
const clean: SubscriberLog = {
  name: 's1',
  resyncs: 0,
  deliveries: [
    { client: 'p1', n: 1, seq: 1 },
    { client: 'p1', n: 2, seq: 3 },
  ],
}

describe('the fault-injection verdict', () => {
  it('passes a log with every acknowledged post once, in order (a maybe-run post may be missing)', () => {
    expect(verdict(posts, [clean], [])).toMatchObject({ events: 2, posts: 3, violations: 0 })
  })

  it('finds what is lost, duplicated, out of order, never posted, run twice, or resynced', () => {
    const bad: SubscriberLog = {
      name: 's2',
      resyncs: 1,
      deliveries: [
        { client: 'p1', n: 2, seq: 3 },
        { client: 'p1', n: 2, seq: 4 },
        { client: 'p9', n: 1, seq: 2 },
      ],
    }
    const result = verdict(posts, [bad], [{ client: 'p1', n: 2, count: 2 }])
    expect(result.lost).toStrictEqual(['s2: p1#1'])
    expect(result.duplicated).toStrictEqual(['s2: p1#2'])
    expect(result.outOfOrder).toStrictEqual(['s2: p1#2 (seq 4 after 3)', 's2: p9#1 (seq 2 after 4)'])
    expect(result.unexpected).toStrictEqual(['s2: p9#1'])
    expect(result.ranTwice).toStrictEqual(['p1#2 ran 2 times'])
    expect(result.violations).toBe(1 + 1 + 2 + 1 + 1 + 1)
  })
})
