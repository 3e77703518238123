import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/client/backoff'

const fixed = (value: number) => () => value

describe('backoffDelay', () => {
  it('doubles the ceiling from 250 ms by default and caps it at 10 s', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, {}, fixed(0.5)) * 2)
    expect(ceilings).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000])
  })

  it('is full jitter: random() scales the whole range, from 0 to just under the ceiling', () => {
    expect(backoffDelay(3, { initialDelayMs: 100 }, fixed(0))).toBe(0)
    expect(backoffDelay(3, { initialDelayMs: 100 }, fixed(0.25))).toBe(200)
    expect(backoffDelay(3, { initialDelayMs: 100 }, fixed(0.999999))).toBe(799)
    expect(backoffDelay(0, { initialDelayMs: 100 }, fixed(0.999999))).toBe(99)
  })

  it('never exceeds maxDelayMs', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 300 }
    expect([0, 1, 2, 3, 10].map((attempt) => backoffDelay(attempt, options, fixed(0.5)))).toEqual([50, 100, 150, 150, 150])
    for (let attempt = 0; attempt < 60; attempt++) {
      expect(backoffDelay(attempt, options, fixed(0.999999))).toBeLessThan(300)
      expect(backoffDelay(attempt, options, Math.random)).toBeGreaterThanOrEqual(0)
    }
  })

  it('stays finite for huge attempt counts', () => {
    expect(backoffDelay(1e9, { initialDelayMs: 1000, maxDelayMs: 60_000 }, fixed(0.5))).toBe(30_000)
    expect(Number.isFinite(backoffDelay(Number.MAX_SAFE_INTEGER, {}, fixed(0.5)))).toBe(true)
  })

  it('returns whole milliseconds', () => {
    expect(backoffDelay(0, { initialDelayMs: 3 }, fixed(0.5))).toBe(1)
  })

  it('uses Math.random when no random is given', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(10, {})))
    expect(seen.size).toBeGreaterThan(1)
    for (const delay of seen) expect(delay).toBeGreaterThanOrEqual(0)
  })
})
