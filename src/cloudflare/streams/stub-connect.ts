import { streamUrl } from '../../core/streams/address'
import type { StreamRef } from '../../core/streams/ref'
import type { StreamConnect } from '../../core/streams/socket'
import { refusalError } from '../../core/streams/stream-error'

/**
 * Opens an end from inside Cloudflare (a Worker, a queue or cron handler,
 * another object) straight through the broker's stub, with no public URL:
 * the broker makes every check the router's route would, but the ref's shape.
 */
export function stubConnect(stub: DurableObjectStub, ref: StreamRef): StreamConnect {
  return async (from) => {
    // The host is never looked at: a stub's fetch goes to the object.
    const url = streamUrl('http://stream.internal', ref, from).replace(/^ws:/, 'http:')
    const response = await stub.fetch(url, { headers: { Upgrade: 'websocket' } })
    const socket = response.webSocket
    if (response.status !== 101 || !socket) {
      const body = await response.json().catch(() => undefined)
      throw refusalError(response.status, body) ?? new Error(`The stream's broker answered ${response.status}`)
    }
    socket.accept()
    socket.binaryType = 'arraybuffer'
    return socket
  }
}
