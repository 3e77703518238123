import type { LoggedEvent } from './hub-store'

/** Runs `flush` after the events the host has already queued: `setTimeout(flush, 0)` in a Durable Object. */
export type ShareCommits = (flush: () => void) => void

/** A publish held back until the next flush. */
interface Waiting {
  event: LoggedEvent | undefined
  release: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Releases publishes in the order of their sequence numbers, each only after
 * its replay-log row is written. A Durable Object commits the writes of every
 * event (every socket message) on its own, and holds that event's outgoing
 * frames until the commit is durable (the output gate), so no subscriber and
 * no publisher hears of an event the log could still lose. The commit, not
 * the row, is what a logged publish costs; so with `shareCommits` the rows of
 * publishes from many events are written together in one later event, one
 * commit for all of them, and those publishes are released then. Unlogged
 * publishes wait behind logged ones: every subscriber sees sequence numbers
 * in order. Without `shareCommits`, a logged publish writes and is released at once.
 */
export class GroupCommit {
  #waiting: Waiting[] = []

  /** @param write writes events to the log, synchronously */
  constructor(
    private readonly write: (events: LoggedEvent[]) => void,
    private readonly shareCommits: ShareCommits | undefined,
  ) {}

  /** Writes `event` (if it is logged) and runs `release` once that is safe: now, or at the next flush. */
  run<T>(event: LoggedEvent | undefined, release: () => T): T | Promise<T> {
    if (this.#waiting.length === 0 && (!event || !this.shareCommits)) {
      if (event) this.write([event])
      return release()
    }
    if (this.#waiting.length === 0) this.shareCommits!(this.#flush)
    return new Promise<T>((resolve, reject) => this.#waiting.push({ event, release, resolve: resolve as (value: unknown) => void, reject }))
  }

  readonly #flush = (): void => {
    const batch = this.#waiting
    this.#waiting = []
    try {
      this.write(batch.flatMap((waiting) => (waiting.event ? [waiting.event] : [])))
    } catch (error) {
      // Nothing of the batch was announced: each publisher hears why.
      for (const waiting of batch) waiting.reject(error)
      return
    }
    for (const waiting of batch) {
      try {
        waiting.resolve(waiting.release())
      } catch (error) {
        waiting.reject(error)
      }
    }
  }
}
