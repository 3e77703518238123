import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import WebSocket from 'ws'

/** A server-to-client text frame (protocol v1): always a JSON object with a `type`. */
export interface Frame {
  type: string
  id?: string | number
  action?: string
  data?: any
  error?: { code: string; message: string; issues?: { message: string; path?: (string | number)[] }[] }
  [field: string]: unknown
}

export const DEFAULT_TIMEOUT_MS = 5_000

/** `room-<prefix>-<random>`: a room name no earlier run against the same persist dir has used. */
export function randomRoom(prefix = 'e2e'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}

/** `http://host:port` + `/chat/x` -> `ws://host:port/chat/x`. */
export function wsUrl(baseUrl: string, path: string): string {
  const url = new URL(path, baseUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

/**
 * A test client over a plain WebSocket: every frame it receives is kept in
 * `frames` (welcome included), and every wait is bounded.
 */
export class TestClient {
  readonly frames: Frame[] = []
  /** Binary frames and text that was not a JSON object, for assertions that nothing odd arrived. */
  readonly strays: (string | Buffer)[] = []
  /** Resolves with the close code once the socket is closed, whoever closed it. */
  readonly closed: Promise<{ code: number; reason: string }>
  /** How the socket closed, once it has. */
  closeEvent: { code: number; reason: string; at: number } | undefined
  #nextId = 1
  #waiters = new Set<() => void>()

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw, isBinary) => {
      if (isBinary) this.strays.push(raw as Buffer)
      else {
        const text = raw.toString()
        let frame: unknown
        try {
          frame = JSON.parse(text)
        } catch {
          frame = undefined
        }
        if (frame && typeof frame === 'object' && !Array.isArray(frame)) this.frames.push(frame as Frame)
        else this.strays.push(text)
      }
      for (const wake of [...this.#waiters]) wake()
    })
    this.closed = new Promise((done) =>
      ws.once('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString(), at: Date.now() }
        done({ code, reason: reason.toString() })
        for (const wake of [...this.#waiters]) wake()
      }),
    )
  }

  /** Opens a socket and resolves once the `welcome` frame is in. Rejects with the HTTP status if the handshake is refused. */
  static connect(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ client: TestClient; welcome: Frame }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs })
      const client = new TestClient(ws)
      let settled = false
      const fail = (error: Error) => {
        if (settled) return
        settled = true
        ws.terminate()
        reject(error)
      }
      // Stays attached: a late socket error must not become an unhandled 'error' event.
      ws.on('error', (error) => fail(new Error(`connect ${url}: ${error.message}`)))
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => fail(Object.assign(new Error(`connect ${url}: HTTP ${res.statusCode} ${body}`), { status: res.statusCode, body })))
      })
      client.waitFor((frame) => frame.type === 'welcome', { timeoutMs }).then(
        (welcome) => {
          if (settled) return
          settled = true
          resolve({ client, welcome })
        },
        (error: Error) => fail(new Error(`connect ${url}: ${error.message}`)),
      )
    })
  }

  /** Sends a raw text (or binary) frame; returns how many frames had arrived before it, for `waitFor({ after })`. */
  sendRaw(data: string | Buffer): number {
    const mark = this.frames.length
    this.ws.send(data)
    return mark
  }

  /** Sends an action with an id (auto-numbered if not given) and resolves with its `reply` or `error` frame. */
  request(action: string, data?: unknown, id: string | number = `r${this.#nextId++}`, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const mark = this.sendRaw(JSON.stringify(data === undefined ? { action, id } : { action, id, data }))
    return this.waitFor((frame) => (frame.type === 'reply' || frame.type === 'error') && frame.id === id, { after: mark, timeoutMs }).catch((error: Error) => {
      throw new Error(`request ${action} #${String(id)}: ${error.message}`)
    })
  }

  /** Like `request`, but fails unless the answer is a `reply`; resolves with its data. */
  async call<T = any>(action: string, data?: unknown): Promise<T> {
    const frame = await this.request(action, data)
    if (frame.type !== 'reply') throw new Error(`${action} failed: ${JSON.stringify(frame)}`)
    return frame.data as T
  }

  /** The first frame from index `after` on that matches, waiting for it if needed. */
  waitFor(match: (frame: Frame) => boolean, { after = 0, timeoutMs = DEFAULT_TIMEOUT_MS }: { after?: number; timeoutMs?: number } = {}): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.slice(after).find(match)
        if (found) return done(() => resolve(found))
        if (this.ws.readyState === WebSocket.CLOSED) return done(() => reject(new Error(`socket closed while waiting (frames: ${JSON.stringify(this.frames.slice(after))})`)))
      }
      const timer = setTimeout(() => done(() => reject(new Error(`no matching frame within ${timeoutMs} ms (frames: ${JSON.stringify(this.frames.slice(after))})`))), timeoutMs)
      const done = (settle: () => void) => {
        clearTimeout(timer)
        this.#waiters.delete(check)
        settle()
      }
      this.#waiters.add(check)
      check()
    })
  }

  /** Closes the socket and waits (bounded) for the close handshake; terminates if it does not finish. */
  async close(code = 1000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    this.ws.close(code)
    const finished = await Promise.race([this.closed.then(() => true), sleep(2_000).then(() => false)])
    if (!finished) this.ws.terminate()
  }
}

/** What the server answered to an upgrade request, without completing it. */
export interface HandshakeResult {
  status: number
  headers: IncomingHttpHeaders
  body: string
  json?: any
}

/**
 * A GET to `url` over plain HTTP, optionally with WebSocket upgrade headers.
 * A 101 is reported and the socket dropped; any other status comes with its body.
 */
export function httpGet(url: string, { upgrade = false, timeoutMs = DEFAULT_TIMEOUT_MS } = {}): Promise<HandshakeResult> {
  const headers: Record<string, string> = upgrade
    ? { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') }
    : {}
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, timeout: timeoutMs })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        let json: unknown
        try {
          json = JSON.parse(body)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json })
      })
    })
    req.end()
  })
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
