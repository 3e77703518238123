/**
 * Runs tasks one at a time per key, in the order they were given, while
 * different keys run side by side. A coordinator keys its deliveries by
 * instance: one publisher's events reach an instance in the order they were
 * published even when an earlier call is slow, fails, or meets a cold object,
 * and a slow instance holds up only its own queue.
 */
export class SerialByKey {
  /** The tail of each key's queue; a key leaves the map when its queue drains. */
  readonly #tails = new Map<string, Promise<void>>()

  /** Runs `task` after every task given earlier under `key`; settles when it has run. `task` must not throw. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const tail = (this.#tails.get(key) ?? Promise.resolve()).then(task)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return tail
  }
}
