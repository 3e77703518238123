import { env } from 'cloudflare:workers'
import { streamName } from '../../../src/cloudflare/addressing'
import type { StreamRef } from '../../../src/core/streams/ref'
import type { StreamConnect } from '../../../src/core/streams/socket'
import { request } from './test-socket'

/** The URL path that opens a ref's end through the router. */
export function streamPath(ref: StreamRef, extra = ''): string {
  return `/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}${extra}`
}

/** The stub of a stream's broker. */
export function broker(ref: StreamRef) {
  return env.CHANNELS.getByName(streamName(ref.channel_id))
}

/** Asks for an end's upgrade through the router; the response, refused or not. */
export function openRaw(path: string): Promise<Response> {
  return request(path, { headers: { Upgrade: 'websocket' } })
}

/** A plain-protocol end, as someone with a bare WebSocket would hold it: every frame kept, in order. */
export class RawEnd {
  readonly frames: (string | Uint8Array)[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  #wake: (() => void) | undefined

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer'
    ws.addEventListener('message', (event) => {
      this.frames.push(typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer))
      this.#wake?.()
    })
    this.closed = new Promise((resolve) => ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })))
  }

  static async open(path: string): Promise<RawEnd> {
    const response = await openRaw(path)
    if (response.status !== 101 || !response.webSocket) throw new Error(`refused: ${response.status} ${await response.text()}`)
    response.webSocket.accept()
    return new RawEnd(response.webSocket)
  }

  /** Waits until at least `count` frames came. */
  async waitFor(count: number, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms
    while (this.frames.length < count) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`only ${this.frames.length} of ${count} frames within ${ms} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** The last credit frame the broker sent (a writer's view). */
  credit(): { credit: number; received: number } | undefined {
    const texts = this.frames.filter((f): f is string => typeof f === 'string')
    return texts.length ? JSON.parse(texts[texts.length - 1]!) : undefined
  }

  async closeInfo(ms = 3000): Promise<{ code: number; reason: string }> {
    return Promise.race([this.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms))])
  }
}

/** SHA-256 of bytes, as hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Deterministic pseudo-random bytes (crypto.getRandomValues takes at most 64 KiB at a time). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)))
  return bytes
}

/**
 * Wraps a connect so the first socket it opens drops (closed from our side
 * with 4000, which the broker takes as a drop) once `after` frames came or
 * went: a reconnect mid-stream, on demand.
 */
export function droppingOnce(connect: StreamConnect, after: number, count: 'received' | 'sent'): { connect: StreamConnect; opens: Array<number | undefined> } {
  const opens: Array<number | undefined> = []
  return {
    opens,
    connect: async (from) => {
      opens.push(from)
      const socket = await connect(from)
      if (opens.length > 1) return socket
      let frames = 0
      const drop = () => {
        if (++frames === after) socket.close(4000, 'test drop')
      }
      if (count === 'received') socket.addEventListener('message', drop)
      else {
        const send = socket.send.bind(socket)
        socket.send = (data) => {
          if (frames >= after) return
          send(data)
          drop()
        }
      }
      return socket
    },
  }
}
