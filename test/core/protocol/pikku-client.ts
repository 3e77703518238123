/**
 * A test stand-in for Pikku's own WebSocket client (`@pikku/websocket`'s
 * `CorePikkuWebsocket` and its route handlers, plus the generated
 * `PikkuWebSocket.subscribeToEventHub`), written from how they behave:
 *
 * - `getRoute(key).send(method, data)` sends `{ [key]: method, ...data }`: no
 *   request ids, the route is the routing key's name.
 * - Every text frame that parses as JSON goes to the subscribers of method
 *   `frame[key]` on each route `key` whose value is truthy, with the whole
 *   frame; then to every `subscribe(cb)` callback. Text that does not parse
 *   goes to the `subscribe` callbacks as the string. Binary frames go to
 *   `onBinaryMessage` callbacks only.
 * - `subscribeToEventHub(topic, cb)` is a `subscribe` callback that keeps the
 *   frames whose `topic` field equals `topic`.
 *
 * It is transport-free: give it a function that sends text, and feed it what
 * the server sends with `receive`. `next`-style helpers wait (bounded) for
 * the next frame a callback would get, so tests can `await` them; start
 * waiting before sending.
 */

export type Callback = (data: any) => void

const WAIT_MS = 2000

export class PikkuRoute {
  readonly #methods = new Map<string, Set<Callback>>()
  readonly #transport: (text: string) => void

  constructor(
    readonly key: string,
    transport: (text: string) => void,
  ) {
    this.#transport = transport
  }

  send(method: string, data?: object): void {
    this.#transport(JSON.stringify({ [this.key]: method, ...data }))
  }

  subscribe(method: string, callback: Callback): void {
    let callbacks = this.#methods.get(method)
    if (!callbacks) this.#methods.set(method, (callbacks = new Set()))
    callbacks.add(callback)
  }

  unsubscribe(method: string, callback?: Callback): void {
    if (callback) this.#methods.get(method)?.delete(callback)
    else this.#methods.delete(method)
  }

  /** The next frame this route's `method` subscribers get. */
  next(method: string, ms = WAIT_MS): Promise<any> {
    return nextValue((callback) => {
      this.subscribe(method, callback)
      return () => this.unsubscribe(method, callback)
    }, `${this.key}:${method}`, ms)
  }

  /** @internal called by the client for each parsed frame. */
  dispatch(method: unknown, frame: unknown): void {
    for (const callback of [...(this.#methods.get(String(method)) ?? [])]) callback(frame)
  }
}

export class PikkuClientModel {
  readonly #routes = new Map<string, PikkuRoute>()
  readonly #subscribers = new Set<Callback>()
  readonly #binary = new Set<(data: ArrayBuffer) => void>()
  /** Everything the `subscribe` callbacks got, in order. */
  readonly received: unknown[] = []

  constructor(readonly transport: (text: string) => void) {
    this.subscribe((frame) => this.received.push(frame))
  }

  getRoute(key: string): PikkuRoute {
    let route = this.#routes.get(key)
    if (!route) this.#routes.set(key, (route = new PikkuRoute(key, this.transport)))
    return route
  }

  /** `send(data)`: any JSON value, as it is. */
  send(data: unknown): void {
    this.transport(JSON.stringify(data))
  }

  subscribe(callback: Callback): void {
    this.#subscribers.add(callback)
  }

  unsubscribe(callback: Callback): void {
    this.#subscribers.delete(callback)
  }

  subscribeToEventHub(topic: string, callback: Callback): () => void {
    const filter = (frame: any) => {
      if (frame?.topic === topic) callback(frame)
    }
    this.subscribe(filter)
    return () => this.unsubscribe(filter)
  }

  onBinaryMessage(callback: (data: ArrayBuffer) => void): void {
    this.#binary.add(callback)
  }

  /** The next frame every `subscribe` callback gets. */
  nextFrame(ms = WAIT_MS): Promise<any> {
    return nextValue((callback) => {
      this.subscribe(callback)
      return () => this.unsubscribe(callback)
    }, 'any frame', ms)
  }

  /** The `index`th frame the `subscribe` callbacks got (from 0), once it has arrived. */
  async frameAt(index: number, ms = WAIT_MS): Promise<any> {
    const deadline = Date.now() + ms
    while (this.received.length <= index) await this.nextFrame(Math.max(1, deadline - Date.now()))
    return this.received[index]
  }

  /** The next frame `subscribeToEventHub(topic)` finds. */
  nextEvent(topic: string, ms = WAIT_MS): Promise<any> {
    return nextValue((callback) => this.subscribeToEventHub(topic, callback), `topic ${topic}`, ms)
  }

  /** The next binary frame. */
  nextBinary(ms = WAIT_MS): Promise<ArrayBuffer> {
    return nextValue((callback) => {
      this.#binary.add(callback)
      return () => this.#binary.delete(callback)
    }, 'a binary frame', ms)
  }

  /** One frame from the server, as the socket's message event carries it. */
  receive(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      for (const callback of [...this.#binary]) callback(data)
      return
    }
    let parsed = false
    try {
      const frame = JSON.parse(data)
      parsed = true
      // As in Pikku's client, a frame that is JSON `null` throws here when routes exist, and reaches no one.
      for (const [key, route] of this.#routes) if (frame[key]) route.dispatch(frame[key], frame)
      for (const callback of [...this.#subscribers]) callback(frame)
    } catch {
      // Not JSON (or a route's callback threw): handled below, as Pikku's client does.
    }
    if (!parsed) for (const callback of [...this.#subscribers]) callback(data)
  }
}

/** Resolves with the first value a callback registered by `register` gets, within `ms`. */
function nextValue<T>(register: (callback: (value: T) => void) => () => void, what: string, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = register((value) => {
      clearTimeout(timer)
      stop()
      resolve(value)
    })
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`no frame for ${what} within ${ms} ms`))
    }, ms)
  })
}
