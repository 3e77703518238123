import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/core/limits'
import { TokenBucket } from '../../../src/core/runtime/token-bucket'

describe('resolveLimits', () => {
  it('uses the defaults when nobody set anything', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS)
    expect(DEFAULT_LIMITS).toEqual({ maxMessageSize: 1024 * 1024, rateLimit: { perSecond: 100, burst: 200, closeAfter: 50 }, maxConnections: 32_768 })
  })

  it('lets the channel win over the router, and the router over the defaults', () => {
    expect(resolveLimits({ maxMessageSize: 10 }, { maxMessageSize: 20, maxConnections: 5 })).toMatchObject({ maxMessageSize: 10, maxConnections: 5 })
  })

  it('fills a partial rate limit from the defaults', () => {
    expect(resolveLimits({}, { rateLimit: { perSecond: 5 } }).rateLimit).toEqual({ perSecond: 5, burst: 200, closeAfter: 50 })
  })

  it('turns rate limiting off with false, from either level', () => {
    expect(resolveLimits({ rateLimit: false }, { rateLimit: { perSecond: 1 } }).rateLimit).toBe(false)
    expect(resolveLimits({}, { rateLimit: false }).rateLimit).toBe(false)
  })
})

describe('TokenBucket', () => {
  const limit = { perSecond: 2, burst: 3, closeAfter: 2 }

  it('allows a burst, then refuses until time refills it', () => {
    const bucket = new TokenBucket(limit, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false])
    expect(bucket.refusedInARow).toBe(1)
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true) // 2 per second: one token per 500 ms
    expect(bucket.refusedInARow).toBe(0)
  })

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(limit, 0)
    const taken = [0, 1, 2, 3].map(() => bucket.take(60_000))
    expect(taken).toEqual([true, true, true, false])
  })

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(limit, 1000)
    bucket.take(1000)
    bucket.take(1000)
    bucket.take(1000)
    expect(bucket.take(0)).toBe(false)
  })
})
