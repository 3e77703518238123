import { StreamError } from './stream-error'

/** Pauses between attempts to reach the broker: about 8 s in all, then the end fails as `UNREACHABLE`. */
const DELAYS_MS = [100, 250, 500, 1000, 2000, 4000]

/**
 * Runs `attempt` until it succeeds, fails with a `StreamError` (a refusal:
 * final), or runs out of retries. A reconnect also retries `BUSY`: the broker
 * may not have seen the old socket close yet.
 */
export async function withRetries<T>(attempt: () => Promise<T>, reconnecting: boolean, delays: readonly number[] = DELAYS_MS): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      const retryable = !(error instanceof StreamError) || (reconnecting && error.code === 'BUSY')
      if (!retryable) throw error
      const delay = delays[tries]
      if (delay === undefined) throw error instanceof StreamError ? error : new StreamError('UNREACHABLE', `The stream's broker could not be reached: ${(error as Error)?.message ?? error}`)
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
