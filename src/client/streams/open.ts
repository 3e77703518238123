import { PROBE_HEADER } from '../../core/protocol/handshake'
import { streamUrl } from '../../core/streams/address'
import { isStreamRef, type StreamRef } from '../../core/streams/ref'
import { StreamReader } from '../../core/streams/reader'
import { holdingMessages, type StreamConnect, type StreamSocket } from '../../core/streams/socket'
import { refusalError } from '../../core/streams/stream-error'
import { StreamWriter } from '../../core/streams/writer'

/** A constructor for stream sockets: the global `WebSocket`, or `ws`'s on Node 20. */
export type StreamSocketClass = new (url: string) => StreamSocket & {
  addEventListener(type: 'open' | 'error', listener: () => void): void
}

export interface OpenStreamOptions {
  /** The Worker's public URL (with the prefix `channels()` is mounted under, if any): `https://app.example.com`. */
  url: string
  /** Default `globalThis.WebSocket`. */
  WebSocket?: StreamSocketClass
  /**
   * Learns why an opening was refused (a WebSocket never shows the status):
   * a `GET` of the same URL with `x-pikku-probe: 1`. Default `globalThis.fetch`.
   */
  fetch?: (url: string, init: { headers: Record<string, string> }) => Promise<{ status: number; json(): Promise<unknown> }>
}

/** Opens the writer end a write ref names, through the Worker's public URL. */
export function openWriter(ref: StreamRef, options: OpenStreamOptions): StreamWriter {
  return new StreamWriter(socketConnect(checked(ref, 'write'), options))
}

/** Opens the reader end a read ref names, through the Worker's public URL. */
export function openReader(ref: StreamRef, options: OpenStreamOptions): StreamReader {
  return new StreamReader(socketConnect(checked(ref, 'read'), options))
}

function checked(ref: StreamRef, direction: StreamRef['direction']): StreamRef {
  if (!isStreamRef(ref)) throw new TypeError('Not a stream ref: expected { channel_id, access_key, direction } as createStreamChannel made it')
  if (ref.direction !== direction) throw new TypeError(`That is a ${ref.direction} ref; this end needs a ${direction} ref`)
  return ref
}

function socketConnect(ref: StreamRef, options: OpenStreamOptions): StreamConnect {
  const SocketClass = options.WebSocket ?? (globalThis as { WebSocket?: StreamSocketClass }).WebSocket
  if (!SocketClass) throw new TypeError('No global WebSocket here; pass { WebSocket } (for example from the "ws" package)')
  const probe = options.fetch ?? (globalThis as { fetch?: OpenStreamOptions['fetch'] }).fetch
  return (from) =>
    new Promise<StreamSocket>((resolve, reject) => {
      const url = streamUrl(options.url, ref, from)
      const socket = new SocketClass(url)
      socket.binaryType = 'arraybuffer'
      let opened = false
      // A close always follows an error; without a listener some sockets (`ws`) throw the error instead.
      socket.addEventListener('error', () => undefined)
      // Listening from the start: the broker's first frame may come in the same tick as `open`.
      const held = holdingMessages(socket)
      socket.addEventListener('open', () => {
        opened = true
        resolve(held)
      })
      socket.addEventListener('close', () => {
        if (opened) return
        // Refused or unreachable: only a probe can tell which (the status of a refused upgrade is hidden).
        if (!probe) return reject(new Error('The stream socket closed before it opened'))
        probe(url.replace(/^ws/, 'http'), { headers: { [PROBE_HEADER]: '1' } })
          .then(async (answer) => reject(refusalError(answer.status, await answer.json().catch(() => undefined)) ?? new Error(`The stream socket closed before it opened (probe: ${answer.status})`)))
          .catch(reject)
      })
    })
}
