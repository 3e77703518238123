export interface BackoffOptions {
  /** First delay ceiling, in ms. Default 250. */
  initialDelayMs?: number
  /** Largest delay, in ms. Default 10 000. */
  maxDelayMs?: number
}

/**
 * Exponential backoff with full jitter: a random delay between 0 and
 * min(max, initial * 2^attempt), so that many clients dropped by one deploy
 * do not all come back at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 250
  const max = options.maxDelayMs ?? 10_000
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/**
 * The delay after a close that reached a whole room at once (a deploy, a
 * restart, a server asking clients to move): the server's hint, then a
 * random point of an even spread, so that a room's clients come back spread
 * over `spreadMs` instead of all at once.
 */
export function spreadDelay(hintMs: number | undefined, spreadMs: number, random: () => number = Math.random): number {
  return (hintMs ?? 0) + Math.floor(random() * spreadMs)
}
