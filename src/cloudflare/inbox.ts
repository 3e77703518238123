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
 * A quiet object waits one macrotask per message.
 *
 * Tasks start in arrival order (a socket's close never overtakes its last
 * message); each returns its own promise, as an event handler would.
 */
export class Inbox {
  #tasks: (() => void)[] = []

  run<T>(task: () => Promise<T> | T): Promise<T> {
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
