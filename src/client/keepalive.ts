import { cancelInterval, cancelTimeout, type IntervalHandle, type TimeoutHandle } from './timers'

/**
 * Pings a connection that has sent nothing for `every` ms: proxies and NATs
 * drop WebSockets that stay silent. A busy connection sends no pings, and the
 * Durable Object answers the ping frame without waking. A ping that gets
 * nothing back (no pong, no frame at all) within `timeout` ms means the socket
 * is dead without having closed (half-open): `dead` is called, and the client
 * reconnects instead of sending into the void.
 */
export class Keepalive {
  readonly #every: number | false
  readonly #timeout: number
  readonly #ping: () => void
  readonly #dead: () => void
  #timer: IntervalHandle | undefined
  #waiting: TimeoutHandle | undefined
  #lastSent = 0

  constructor(every: number | false, timeout: number, ping: () => void, dead: () => void) {
    this.#every = every
    this.#timeout = timeout
    this.#ping = ping
    this.#dead = dead
  }

  /** Something went out: the idle time starts over. */
  sent(): void {
    this.#lastSent = Date.now()
  }

  /** Something came in: the socket is alive. */
  received(): void {
    cancelTimeout(this.#waiting)
    this.#waiting = undefined
  }

  /** Starts checking (at a welcome); `every: false` never does. */
  start(): void {
    const every = this.#every
    if (every === false) return
    this.stop()
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastSent < every) return
      this.#ping()
      this.#waiting ??= setTimeout(() => {
        this.#waiting = undefined
        this.#dead()
      }, this.#timeout)
    }, every)
  }

  stop(): void {
    cancelInterval(this.#timer)
    cancelTimeout(this.#waiting)
    this.#timer = undefined
    this.#waiting = undefined
  }
}
