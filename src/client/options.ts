import type { BackoffOptions } from './backoff'

/** The part of the standard WebSocket API the client uses (browsers, Node 22, or the `ws` package). */
export interface WebSocketLike {
  binaryType: string
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
  addEventListener(type: 'error', listener: (event: unknown) => void): void
}

export interface ClientOptions {
  /** The WebSocket class; `globalThis.WebSocket` by default (pass `ws`'s on Node 20). */
  WebSocket?: new (url: string) => WebSocketLike
  /** How long `send` waits for its reply. Default 10 s. */
  timeoutMs?: number
  /** Reconnect after unexpected closes (deploys, network). `false` to stop at the first close. */
  reconnect?: false | BackoffOptions
  /** Frames kept while disconnected; past this, `send` rejects with `BUFFER_FULL`. Default 100. */
  bufferSize?: number
  /** Idle time after which a keepalive ping is sent (answered without waking the server). Default 30 s; `false` for none. */
  keepaliveMs?: number | false
  /** The field actions are named by, for channels wired with their own routing key (`{ op: {...} }`). Default `action`. */
  routingKey?: string
}

/** The options with their defaults in place (`reconnect` stays optional: absent means the backoff's own defaults). */
export type ResolvedOptions = Required<Omit<ClientOptions, 'reconnect'>> & Pick<ClientOptions, 'reconnect'>

/** Fills in the defaults; throws a TypeError when no WebSocket class was given and there is no global one. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket
  if (!WebSocketClass) throw new TypeError('createClient: no global WebSocket here; pass { WebSocket } (for example from the "ws" package)')
  return {
    WebSocket: WebSocketClass,
    timeoutMs: options.timeoutMs ?? 10_000,
    bufferSize: options.bufferSize ?? 100,
    keepaliveMs: options.keepaliveMs ?? 30_000,
    routingKey: options.routingKey ?? 'action',
    reconnect: options.reconnect,
  }
}
