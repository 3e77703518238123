// Where the Worker serves the channels, as --base and --server-url say: for AsyncAPI addresses and info's routes.
import { UsageError } from './errors'

/** A path segment of a mount path: no `:` or `{}` (they would read as route parameters), no `?` or `#`. */
const SEGMENT = /^[A-Za-z0-9._~%!$&'()*+,;=@-]+$/

/**
 * `--base /ws`: the path `channels()` is mounted at (`app.route('/ws', channels())`),
 * without a trailing slash. `/` (or nothing) is no prefix at all: undefined.
 */
export function parseBase(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const path = text.replace(/\/+$/, '')
  if (path === '') return undefined
  const segments = path.split('/').slice(1)
  if (!path.startsWith('/') || segments.some((segment) => !SEGMENT.test(segment))) {
    throw new UsageError(`--base takes the path channels() is mounted at, like /ws (no ":", "{", "?" or "#"), got "${text}"`)
  }
  return path
}

/** An AsyncAPI server: where a client connects. */
export interface ServerAddress {
  host: string
  protocol: 'ws' | 'wss'
}

/** `--server-url ws://127.0.0.1:8787` or `wss://chat.example.com`: the host and protocol, nothing more (the path is --base's). */
export function parseServerUrl(text: string | undefined): ServerAddress | undefined {
  if (text === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    url = undefined
  }
  const protocol = url?.protocol === 'ws:' ? 'ws' : url?.protocol === 'wss:' ? 'wss' : undefined
  if (!url || !protocol || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UsageError(`--server-url takes ws://host[:port] or wss://host[:port], with the mount path in --base; got "${text}"`)
  }
  return { host: url.host, protocol }
}
