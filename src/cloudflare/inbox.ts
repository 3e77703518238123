/**
 * A Durable Object's socket events, handled in batches: everything that
 * arrives before the next macrotask runs together in one turn.
 *
 * Why: the platform commits each turn's storage writes on its own and holds
 * that turn's outgoing frames until the commit is durable (the output gate).
 * The commit, not the row, is what a write costs (about 100 µs of CPU under
 * workerd, one row or eight), so a publish that logs its event paid a whole
 * commit per socket message. Handled in one turn, the messages of a burst
 * share one: every handler's writes, its events' log rows and its kept answer
 * still commit together, atomically, and nothing they send leaves before.
 * The timer costs too (about 15 µs of CPU per message under workerd when
 * bursts are short), so the inbox batches only while the messages before
 * wrote (`wrote`: the library's own writes, such as replay-log rows, kept
 * answers and the ledger of open connections); an object whose messages
 * write nothing runs each one at once, as it arrives.
 *
 * Tasks start in arrival order (a socket's close never overtakes its last
 * message); each returns its own promise, as an event handler would.
 */
export class Inbox {
  #tasks: (() => void)[] = []

  /** @param wrote whether anything was written since the last call (a WriteMeter's takeWrote) */
  constructor(private readonly wrote: () => boolean) {}

  run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.#tasks.length === 0 && !this.wrote()) return Promise.resolve().then(task)
    return new Promise<T>((resolve, reject) => {
      // setTimeout, not a microtask: a microtask ends with the event that queued it.
      if (this.#tasks.length === 0) setTimeout(this.#drain, 0)
      this.#tasks.push(() => {
        try {
          Promise.resolve(task()).then(resolve, reject)
        } catch (error) {
          reject(error)
        }
      })
    })
  }

  readonly #drain = (): void => {
    const tasks = this.#tasks
    this.#tasks = []
    for (const task of tasks) task()
  }
}
