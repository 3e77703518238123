/**
 * A Durable Object's socket events, handled in batches: while they write,
 * everything that arrives before the next macrotask runs together in one turn.
 *
 * Why: the platform commits each turn's storage writes on its own and holds
 * that turn's outgoing frames until the commit is durable (the output gate).
 * The commit, not the row, is what a write costs (about 100 µs of CPU under
 * workerd, one row or eight), so a publish that logs its event paid a whole
 * commit per socket message. Handled in one turn, the messages of a burst
 * share one: every handler's writes, its events' log rows and its kept answer
 * still commit together, atomically, and nothing they send leaves before.
 *
 * The timer costs too (about 15 µs of CPU per message under workerd when
 * bursts are short), so the inbox batches only while the messages before
 * wrote (`wrote`: the library's own writes, such as replay-log rows, kept
 * answers and the ledger of open connections); an object whose messages
 * write nothing runs each one at once, as it arrives.
 *
 * Order: one socket's events run one after another, as separate events would
 * (a `$subscribe` is done before the `create` sent after it, and a close never
 * overtakes its socket's last message). An event whose handler waits on real
 * I/O holds the next one of its socket only until the next macrotask, as the
 * platform's own next event would not wait for it either. Different sockets'
 * events start in arrival order. Each caller gets its own task's promise.
 */
export class Inbox {
  #batch: { key: unknown; start: () => Promise<void> }[] = []

  /** @param wrote whether anything was written since the last call (a WriteMeter's takeWrote) */
  constructor(private readonly wrote: () => boolean) {}

  /** Runs `task` for the socket `key`: now, or in the next batch. */
  run<T>(key: unknown, task: () => Promise<T> | T): Promise<T> {
    if (this.#batch.length === 0 && !this.wrote()) return settle(task)
    return new Promise<T>((resolve, reject) => {
      // setTimeout, not a microtask: a microtask ends with the event that queued it.
      if (this.#batch.length === 0) setTimeout(this.#drain, 0)
      this.#batch.push({ key, start: () => settle(task).then(resolve, reject) })
    })
  }

  readonly #drain = (): void => {
    const batch = this.#batch
    this.#batch = []
    const last = new Map<unknown, Promise<void>>()
    let nextMacrotask: Promise<void> | undefined
    for (const { key, start } of batch) {
      const before = last.get(key)
      const started = before ? Promise.race([before, (nextMacrotask ??= new Promise<void>((resolve) => setTimeout(resolve, 0)))]).then(start) : start()
      last.set(key, started)
    }
  }
}

/** A task's outcome as a promise, a synchronous throw included. */
function settle<T>(task: () => Promise<T> | T): Promise<T> {
  try {
    return Promise.resolve(task())
  } catch (error) {
    return Promise.reject(error)
  }
}
