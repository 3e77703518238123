import type { WebSocketLike } from '../../../src/client/options'

type Sent = string | ArrayBuffer | ArrayBufferView
type Listener = (event: any) => void

/** A text frame the client sent, parsed. */
export interface ClientFrame {
  action: string
  id?: number | string
  data?: any
}

/**
 * One scripted socket. The test plays the server: it reads what the client
 * sent (`sent`, `frames`, `request`) and pushes frames back (`welcome`,
 * `reply`, `error`, `event`, ...), or drops the connection (`drop`).
 */
export class FakeSocket implements WebSocketLike {
  binaryType = 'blob'
  readonly sent: Sent[] = []
  /** Set when the client closed this socket itself. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined
  /** Whether a close event was delivered (by the server or after the client's close). */
  closed = false
  readonly #listeners = new Map<string, Listener[]>()

  constructor(readonly url: string) {}

  /** The URL without the client's `$resume` token: the address it was asked to connect to. */
  get address(): string {
    return this.url.replace(/[?&]\$resume=[^&#]*/, '')
  }

  /** The `$resume` token the client named itself with, if any. */
  get resumeToken(): string | undefined {
    return /[?&]\$resume=([^&#]*)/.exec(this.url)?.[1]
  }

  // ---- the WebSocket API the client uses ----

  send(data: Sent): void {
    if (this.closed || this.closedByClient) throw new Error('FakeSocket: send after close')
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    if (this.closedByClient || this.closed) return
    this.closedByClient = { code, reason }
    // A real socket reports its close later; the client must have let go of it by then.
    queueMicrotask(() => this.#emitClose(code ?? 1005, reason ?? ''))
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }

  // ---- what the test reads ----

  /** Text frames the client sent, parsed. */
  get frames(): ClientFrame[] {
    return this.sent.filter((s): s is string => typeof s === 'string').map((s) => JSON.parse(s) as ClientFrame)
  }

  /** Text frames with this action. */
  framesFor(action: string): ClientFrame[] {
    return this.frames.filter((frame) => frame.action === action)
  }

  /** The latest frame with this action; throws if there is none. */
  request(action: string): ClientFrame {
    const found = this.framesFor(action).at(-1)
    if (!found) throw new Error(`FakeSocket: the client sent no "${action}" (sent: ${JSON.stringify(this.sent)})`)
    return found
  }

  // ---- what the test (as the server) sends ----

  pushText(text: string): void {
    this.#emit('message', { data: text })
  }

  push(frame: Record<string, unknown>): void {
    this.pushText(JSON.stringify(frame))
  }

  pushBinary(bytes: ArrayBuffer | ArrayBufferView): void {
    this.#emit('message', { data: bytes })
  }

  welcome(data?: unknown, channelId = 'conn-1'): void {
    this.push({ type: 'welcome', channelId, data })
  }

  reply(request: ClientFrame, data?: unknown): void {
    this.push({ type: 'reply', action: request.action, id: request.id, data })
  }

  error(request: ClientFrame, code: string, message = code, issues?: unknown[]): void {
    this.push({ type: 'error', action: request.action, id: request.id, error: { code, message, issues } })
  }

  event(topic: string, seq: number, data: unknown): void {
    this.push({ type: 'event', topic, seq, data })
  }

  message(data: unknown): void {
    this.push({ type: 'message', data })
  }

  /** The server (or the network) closes the connection. */
  drop(code = 1006, reason = ''): void {
    this.#emitClose(code, reason)
  }

  #emitClose(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.#emit('close', { code, reason })
  }

  #emit(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event)
  }
}

/** A WebSocket class for `createClient(url, { WebSocket })` that records every socket it makes. */
export function fakeWebSocket() {
  const sockets: FakeSocket[] = []
  class WebSocket extends FakeSocket {
    constructor(url: string) {
      super(url)
      sockets.push(this)
    }
  }
  return {
    WebSocket,
    sockets,
    /** The newest socket. */
    get current(): FakeSocket {
      const socket = sockets.at(-1)
      if (!socket) throw new Error('fakeWebSocket: no socket was opened')
      return socket
    },
  }
}
