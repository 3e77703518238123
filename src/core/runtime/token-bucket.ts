import type { RateLimit } from '../limits'

/**
 * A token bucket kept in memory per connection. It need not survive
 * hibernation: an object only hibernates after it has been idle, and idle
 * time refills the bucket anyway.
 */
export class TokenBucket {
  #tokens: number
  #at: number
  /** Messages refused in a row; reset by the next accepted one. */
  refusedInARow = 0

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.#tokens = limit.burst
    this.#at = now
  }

  /** Refills for the time elapsed, then spends one token; false (and one more refusal in a row) when there is none. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at)
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsed * this.limit.perSecond) / 1000)
    this.#at = now
    if (this.#tokens >= 1) {
      this.#tokens -= 1
      this.refusedInARow = 0
      return true
    }
    this.refusedInARow++
    return false
  }
}
