import { DEFAULT_REPLAY, type ReplayOptions } from './topics'
import type { HubStore, LoggedEvent } from './hub-store'
import { matches } from '../protocol/topics'

/** Sequence numbers are reserved in blocks, so a publish does not write the counter. */
const SEQ_BLOCK = 1024

export interface ReplayResult {
  events: LoggedEvent[]
  /** The log no longer reaches back to `since` (or never saw it): refetch state instead. */
  resync: boolean
  /** The newest sequence number in this instance. */
  seq: number
}

/**
 * One instance's event sequence and its bounded replay log. Sequence numbers
 * survive hibernation: a block of them is reserved in the store at a time, and
 * a woken instance continues above the last reserved block. The log is
 * bounded by count and age, trimmed in batches rather than on every append.
 */
export class ReplayLog {
  #seq: number | undefined
  #ceiling = 0
  #size: number | undefined
  #trimmed: number | undefined
  /** `false`: the channel keeps no log (sequence numbers are still handed out). */
  readonly options: Required<ReplayOptions> | false

  constructor(
    private readonly store: HubStore,
    options: ReplayOptions | false | undefined,
    private readonly now: () => number,
  ) {
    this.options = options === false ? false : { ...DEFAULT_REPLAY, ...options }
  }

  /** The newest sequence number handed out (or reserved before the last wake). */
  head(): number {
    return this.#loadSeq()
  }

  next(): number {
    const seq = this.#loadSeq() + 1
    this.#seq = seq
    if (seq > this.#ceiling) {
      this.#ceiling = seq + SEQ_BLOCK - 1
      this.store.setSeqCeiling(this.#ceiling)
    }
    return seq
  }

  append(event: LoggedEvent): void {
    const options = this.options as Required<ReplayOptions>
    this.#size = (this.#size ?? this.store.logSize()) + 1
    this.store.appendEvent(event)
    if (this.#size > options.count + Math.max(16, options.count >> 3)) this.#trim(options)
  }

  /** Logged events that `subscription` (a topic or pattern) receives after `since`, or a resync when the log does not reach back that far. */
  replay(subscription: string, since: number, logged: boolean): ReplayResult {
    const seq = this.head()
    if (this.options === false || !logged) return { events: [], resync: since !== seq, seq }
    this.#trim(this.options)
    if (!Number.isInteger(since) || since < this.#trimmedThrough() || since > seq) return { events: [], resync: true, seq }
    const events = this.store.eventsAfter(since).filter((event) => matches(subscription, event.topic))
    return { events, resync: false, seq }
  }

  #loadSeq(): number {
    if (this.#seq === undefined) {
      // Numbers up to the old ceiling may have been used before the wake: continue above it.
      this.#ceiling = this.store.seqCeiling()
      this.#seq = this.#ceiling
    }
    return this.#seq
  }

  #trim(options: Required<ReplayOptions>): void {
    const forgotten = this.store.trim(options.count, this.now() - options.maxAgeMs)
    this.#size = undefined
    if (forgotten > this.#trimmedThrough()) {
      this.#trimmed = forgotten
      this.store.setTrimmedThrough(forgotten)
    }
  }

  #trimmedThrough(): number {
    return (this.#trimmed ??= this.store.trimmedThrough())
  }
}
