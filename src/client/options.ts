import type { BackoffOptions } from './backoff'
import type { ProbeFetch } from './handshake-probe'

/** The part of the standard WebSocket API the client uses (browsers, Node 22, or the `ws` package). */
export interface WebSocketLike {
  binaryType: string
  /** Read only on a socket handed to the client (`ClientOptions.socket`); see {@link READY_STATE}. */
  readonly readyState?: number
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
  addEventListener(type: 'error', listener: (event: unknown) => void): void
}

/** `readyState` values, as the WebSocket standard numbers them. */
export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const

/** A constructor for the client's sockets. */
export type WebSocketClass = new (url: string) => WebSocketLike

export interface ClientOptions {
  /**
   * The WebSocket class reconnects use; by default the adopted `socket`'s own
   * class (its `constructor`, unless it is a plain object), else
   * `globalThis.WebSocket` (pass `ws`'s on Node 20).
   */
  WebSocket?: WebSocketClass
  /**
   * A socket already created for `url`, CONNECTING or OPEN, to use as the first
   * connection instead of opening one (Pikku's `new PikkuWebSocket(ws)`). The
   * client owns it from then on: it listens to it, and `close()` closes it. Only
   * the first connection is adopted; reconnects open new sockets to `url` with
   * `WebSocket`, so constructor arguments beyond the URL (protocols, headers) do
   * not carry over unless `WebSocket` adds them. A socket already CLOSING or
   * CLOSED counts as a first connection that dropped: the client reconnects (or,
   * with `reconnect: false`, closes).
   */
  socket?: WebSocketLike
  /** How long `send` waits for its reply. Default 10 s. */
  timeoutMs?: number
  /** Reconnect after unexpected closes (deploys, network). `false` to stop at the first close. */
  reconnect?: false | BackoffOptions
  /**
   * After a close that reaches every client of a room at once (1001 and 1012 in a deploy or a
   * restart, 1013, or 4503 when the server asks clients to move), the client waits the server's
   * `retryAfterMs` hint, if any, plus a random delay up to this, in ms: a room's clients then come
   * back spread out, not all in the same instant. Default 3000.
   */
  restartSpreadMs?: number
  /** Frames kept while disconnected; past this, `send` rejects with `BUFFER_FULL`. Default 100. */
  bufferSize?: number
  /** Idle time after which a keepalive ping is sent (answered without waking the server). Default 30 s; `false` for none. */
  keepaliveMs?: number | false
  /** A keepalive with nothing back within this (ms) means a dead, half-open socket: the client drops it and reconnects. Default 10 s. */
  keepaliveTimeoutMs?: number
  /** The field actions are named by, for channels wired with their own routing key (`{ op: {...} }`). Default `action`. */
  routingKey?: string
  /**
   * How the client learns why a connection closed before its welcome (a
   * browser sees a refused upgrade only as close 1006): the handshake probe, a
   * `GET` of the channel's URL with `x-pikku-probe: 1` and the page's cookies
   * (PROTOCOL.md, "Connecting"). On 400, 401, 403 or 404 the client stops with
   * that error. Default `globalThis.fetch` (no probe where there is none);
   * `false` for no probe. A `WebSocket` class that adds headers (an
   * `Authorization`) needs a probe that adds them too, or `false`: a probe
   * without them is answered for a request without them.
   */
  probe?: ProbeFetch | false
  /**
   * Retries that never run twice: the client names itself with a random
   * `$resume` token on every connection it opens, and a request in flight when
   * the connection drops is sent again after the reconnect, with the same id;
   * the server answers what the first run got, or runs it if it never did
   * (PROTOCOL.md, "Retries"). Default true; `false` to fail such requests with
   * `DISCONNECTED` instead. An adopted `socket` has no token: requests in flight
   * on it fail with `DISCONNECTED`.
   */
  resume?: boolean
}

/** The options with their defaults in place (`reconnect` stays optional: absent means the backoff's own defaults; `probe` undefined means none). */
export type ResolvedOptions = Required<Omit<ClientOptions, 'reconnect' | 'socket' | 'probe'>> & Pick<ClientOptions, 'reconnect'> & { probe: ProbeFetch | undefined }

/** Fills in the defaults; throws a TypeError when no WebSocket class was given and there is no global one. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  // An adopted socket's constructor is the class that made it: the browser's, `ws`'s, or the app's subclass.
  // A plain object's is `Object`, which makes no sockets: then it is as if no socket's class were known.
  const constructor = options.socket?.constructor
  const adoptedClass = constructor === Object ? undefined : (constructor as WebSocketClass | undefined)
  const WebSocketClass = options.WebSocket ?? adoptedClass ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket
  if (!WebSocketClass) throw new TypeError('createClient: no global WebSocket here; pass { WebSocket } (for example from the "ws" package)')
  return {
    WebSocket: WebSocketClass,
    timeoutMs: options.timeoutMs ?? 10_000,
    bufferSize: options.bufferSize ?? 100,
    restartSpreadMs: options.restartSpreadMs ?? 3_000,
    keepaliveMs: options.keepaliveMs ?? 30_000,
    keepaliveTimeoutMs: options.keepaliveTimeoutMs ?? 10_000,
    routingKey: options.routingKey ?? 'action',
    reconnect: options.reconnect,
    probe: options.probe === false ? undefined : (options.probe ?? globalFetch()),
    resume: options.resume ?? true,
  }
}

/** The global `fetch`, called as a function of its own (a bare reference loses `this` in browsers); undefined where there is none. */
function globalFetch(): ProbeFetch | undefined {
  const scope = globalThis as { fetch?: ProbeFetch }
  return typeof scope.fetch === 'function' ? (url, init) => scope.fetch!(url, init) : undefined
}
