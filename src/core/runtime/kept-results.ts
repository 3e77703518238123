import { exceeds } from '../bytes'
import type { ErrorPayload, RequestId } from '../protocol/frames'
import { DEFAULT_RETRY_WINDOW_MS } from '../protocol/resume'

/** What a request got, kept so that the same request sent again gets it again. */
export type KeptOutcome =
  | { kind: 'reply'; data?: unknown }
  | { kind: 'error'; error: ErrorPayload }
  /** It ran, but what it returned was not kept (`keepResult: false`, or too large): a retry is told so, and nothing runs. */
  | { kind: 'not-kept' }

/**
 * Where a channel instance keeps answers, by resume token and request id: the
 * object's SQLite in production (it survives hibernation and eviction), a
 * `MemoryResultStore` in tests. `id` is the request id as JSON, so `1` and `"1"` differ.
 */
export interface ResultStore {
  /** The outcome kept at or after `since` (ms), if any. */
  get(token: string, id: string, since: number): KeptOutcome | undefined
  put(token: string, id: string, outcome: KeptOutcome, at: number): void
  /** Forgets every outcome kept before `before` (ms). */
  prune(before: number): void
}

export class MemoryResultStore implements ResultStore {
  readonly rows = new Map<string, { outcome: KeptOutcome; at: number }>()

  get(token: string, id: string, since: number): KeptOutcome | undefined {
    const row = this.rows.get(`${token} ${id}`)
    return row && row.at >= since ? structuredClone(row.outcome) : undefined
  }

  put(token: string, id: string, outcome: KeptOutcome, at: number): void {
    this.rows.set(`${token} ${id}`, { outcome: structuredClone(outcome), at })
  }

  prune(before: number): void {
    for (const [key, row] of this.rows) if (row.at < before) this.rows.delete(key)
  }
}

/** An answer larger than this (as JSON) is not kept; a retry of it gets `RESULT_NOT_KEPT`. */
export const MAX_KEPT_RESULT_BYTES = 64 * 1024

/** Expired answers are deleted at most this often (and once per wake). */
const PRUNE_EVERY_MS = 60_000

export interface KeptResultsOptions {
  windowMs?: number
  now?: () => number
}

/**
 * Retries that never run twice: answers of requests from resumable
 * connections, by (token, request id), for `windowMs`. A request seen before
 * gets the kept outcome; one still running (its connection dropped, the client
 * sent it again on a new one) is waited for. One small write per request, in
 * the same turn as its reply.
 */
export class KeptResults {
  readonly windowMs: number
  readonly #store: ResultStore
  readonly #now: () => number
  /** Requests running now, by key: a retry that arrives meanwhile waits for the first. */
  readonly #running = new Map<string, Promise<void>>()
  #prunedAt = Number.NEGATIVE_INFINITY

  constructor(store: ResultStore, options: KeptResultsOptions = {}) {
    this.#store = store
    this.windowMs = options.windowMs ?? DEFAULT_RETRY_WINDOW_MS
    this.#now = options.now ?? Date.now
  }

  /** The outcome this request already had, waiting for it if it is still running; undefined if it is new. */
  async seen(token: string, id: RequestId): Promise<KeptOutcome | undefined> {
    const key = JSON.stringify(id)
    const running = this.#running.get(`${token} ${key}`)
    if (running) await running
    return this.#store.get(token, key, this.#now() - this.windowMs)
  }

  /**
   * Marks the request as running and returns how to finish it: with the
   * outcome to keep, or with `keep: false` to keep only that it ran.
   */
  begin(token: string, id: RequestId): (outcome: KeptOutcome, keep?: boolean) => void {
    const key = JSON.stringify(id)
    const runningKey = `${token} ${key}`
    let done!: () => void
    this.#running.set(runningKey, new Promise<void>((resolve) => (done = resolve)))
    return (outcome, keep = true) => {
      const kept = keep && fits(outcome) ? outcome : ({ kind: 'not-kept' } as const)
      const now = this.#now()
      this.#store.put(token, key, kept, now)
      if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
        this.#prunedAt = now
        this.#store.prune(now - this.windowMs)
      }
      this.#running.delete(runningKey)
      done()
    }
  }
}

function fits(outcome: KeptOutcome): boolean {
  try {
    return !exceeds(JSON.stringify(outcome), MAX_KEPT_RESULT_BYTES)
  } catch {
    // A reply JSON cannot carry cannot be sent either; what is kept is that it ran.
    return false
  }
}
