import { env, exports } from 'cloudflare:workers'
import { coordinatorName, instanceName } from '../../../src/cloudflare/addressing'

/** A parsed text frame, or the bytes of a binary one. */
export type Frame = Record<string, any> | Uint8Array

export interface CloseInfo {
  code: number
  reason: string
}

const WAIT_MS = 2000

/** Sends an HTTP request through the fixture Worker (router included). */
export function request(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://channels.test${path}`, init))
}

/** The stub of the object serving a channel instance, named the way the router names it. */
export function instance(channel: string, path: string) {
  return env.CHANNELS.getByName(instanceName(channel, path))
}

/** The stub of a global topic's coordinator. */
export function coordinator(channel: string, key: string) {
  return env.CHANNELS.getByName(coordinatorName(channel, key))
}

/** A client socket inside workerd, with promise helpers and bounded waits. */
export class TestSocket {
  /** Every frame received, in order. */
  readonly frames: Frame[] = []
  readonly closed: Promise<CloseInfo>
  /** Frames not yet taken by `next` or `call`. */
  readonly #unread: Frame[] = []
  #wake: (() => void) | undefined

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer'
    ws.addEventListener('message', (event) => {
      const frame = typeof event.data === 'string' ? JSON.parse(event.data) : new Uint8Array(event.data as ArrayBuffer)
      this.frames.push(frame)
      this.#unread.push(frame)
      this.#wake?.()
    })
    this.closed = new Promise((resolve) => ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })))
  }

  /** Opens a channel through the router; rejects with the status and body if the upgrade is refused. */
  static async open(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const response = await request(path, { headers: { Upgrade: 'websocket', ...headers } })
    if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade refused: ${response.status} ${await response.text()}`)
    response.webSocket.accept()
    return new TestSocket(response.webSocket)
  }

  /** Opens a channel and returns the socket with its welcome frame. */
  static async join(path: string, headers: Record<string, string> = {}): Promise<{ socket: TestSocket; welcome: Record<string, any> }> {
    const socket = await TestSocket.open(path, headers)
    const welcome = (await socket.next()) as Record<string, any>
    if (welcome.type !== 'welcome') throw new Error(`expected welcome first, got ${JSON.stringify(welcome)}`)
    return { socket, welcome }
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || frame instanceof Uint8Array || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame))
  }

  /** The next frame not yet taken. */
  next(ms = WAIT_MS): Promise<Frame> {
    return this.#take(() => 0, ms)
  }

  /** Sends an action with an id and returns the frame answering it (reply or error); other frames stay for `next`. */
  call(action: string, data?: unknown, id: string | number = crypto.randomUUID()): Promise<Record<string, any>> {
    this.send(data === undefined ? { action, id } : { action, id, data })
    const answers = (frame: Frame) => !(frame instanceof Uint8Array) && frame.id === id && (frame.type === 'reply' || frame.type === 'error')
    return this.#take(() => this.#unread.findIndex(answers), WAIT_MS) as Promise<Record<string, any>>
  }

  /** Fails if any untaken frame arrives within `ms`. */
  async expectSilence(ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    if (this.#unread.length > 0) throw new Error(`expected no frames, got ${JSON.stringify(this.#unread)}`)
  }

  /** Waits until `find` points at an untaken frame, and takes it. */
  async #take(find: () => number, ms: number): Promise<Frame> {
    const deadline = Date.now() + ms
    for (;;) {
      const index = this.#unread.length > 0 ? find() : -1
      if (index >= 0) return this.#unread.splice(index, 1)[0]!
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching frame within ${ms} ms (unread: ${JSON.stringify(this.#unread)}; all: ${JSON.stringify(this.frames)})`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Resolves with the close the server sent, within a bounded time. */
  async closeInfo(ms = WAIT_MS): Promise<CloseInfo> {
    return Promise.race([this.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms))])
  }
}

/** Polls until `check` returns true, for effects that land after a close. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
