/**
 * An instance's background re-registrations, one key at a time: a burst of
 * subscribers (a reconnect storm) makes one call in flight and at most one
 * more after it, rather than one call each to a coordinator every instance
 * shares. The call after is needed: the one in flight may have reached the
 * coordinator before the subscriber that asked came.
 */
export class Renewals {
  /** Keys with a call in flight; true when another must follow it. */
  readonly #inFlight = new Map<string, boolean>()

  constructor(
    private readonly send: (key: string) => Promise<void>,
    private readonly failed: (key: string, error: unknown) => void,
  ) {}

  request(key: string): void {
    if (this.#inFlight.has(key)) {
      this.#inFlight.set(key, true)
      return
    }
    this.#inFlight.set(key, false)
    void this.send(key)
      .catch((error: unknown) => this.failed(key, error))
      .finally(() => {
        const again = this.#inFlight.get(key)
        this.#inFlight.delete(key)
        if (again) this.request(key)
      })
  }

  /** The key's last subscriber left: no call after the one in flight (an unregister follows it). */
  cancel(key: string): void {
    if (this.#inFlight.has(key)) this.#inFlight.set(key, false)
  }
}
