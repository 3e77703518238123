import { cancelInterval, type IntervalHandle } from './timers'

/**
 * Pings a connection that has sent nothing for `every` ms: proxies and NATs
 * drop WebSockets that stay silent. A busy connection sends no pings, and the
 * Durable Object answers the ping frame without waking.
 */
export class Keepalive {
  readonly #every: number | false
  readonly #ping: () => void
  #timer: IntervalHandle | undefined
  #lastSent = 0

  constructor(every: number | false, ping: () => void) {
    this.#every = every
    this.#ping = ping
  }

  /** Something went out: the idle time starts over. */
  sent(): void {
    this.#lastSent = Date.now()
  }

  /** Starts checking (at a welcome); `every: false` never does. */
  start(): void {
    const every = this.#every
    if (every === false) return
    this.stop()
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastSent >= every) this.#ping()
    }, every)
  }

  stop(): void {
    cancelInterval(this.#timer)
    this.#timer = undefined
  }
}
