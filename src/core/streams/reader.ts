import { StreamCloseCode } from '../protocol/close'
import { clampCloseReason } from '../protocol/close'
import { encodeAck } from './frames'
import { withRetries } from './retry'
import { bytesOf, type StreamConnect, type StreamSocket } from './socket'
import { closeError, StreamError } from './stream-error'
import { readableOf } from './web-streams'

type Frame = string | Uint8Array

/**
 * The reader end of a stream. Frames come in the writer's order: binary as
 * chunks of the iteration (`for await`, `readAll`, `readable`), text as
 * `onMessage` calls between them. A frame is acknowledged once taken, which
 * is what gives the writer credit: a slow consumer slows the writer. The
 * reader connects on first use, and after a drop reconnects saying how many
 * frames it has, so it gets the rest exactly once.
 */
export class StreamReader {
  readonly #connect: StreamConnect
  readonly #queue: Frame[] = []
  readonly #listeners = new Set<(text: string) => void>()
  #received = 0
  #consumed = 0
  #ackSent = 0
  #ackScheduled = false
  #socket: StreamSocket | undefined
  #connecting = false
  #everOpened = false
  #started = false
  /** Someone is taking frames (an iteration): text then waits its turn instead of going straight to listeners. */
  #iterating = false
  #end: 'end' | StreamError | undefined
  #wake: (() => void) | undefined
  #readable: ReadableStream<Uint8Array> | undefined

  constructor(connect: StreamConnect) {
    this.#connect = connect
  }

  /** Calls `listener` with each text message, in order with the binary chunks; returns a function that stops it. */
  onMessage(listener: (text: string) => void): () => void {
    this.#listeners.add(listener)
    this.#start()
    this.#deliverText()
    return () => this.#listeners.delete(listener)
  }

  /** Every frame in order: text messages as strings, data as bytes. */
  async *frames(): AsyncGenerator<Frame, void, undefined> {
    this.#start()
    this.#iterating = true
    try {
      for (;;) {
        const frame = await this.#take()
        if (frame === undefined) return
        yield frame
      }
    } finally {
      this.#iterating = false
    }
  }

  /** The binary chunks in order; text messages go to `onMessage` listeners as they are reached. Throws the stream's error (an abort's reason, an expiry). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const frame of this.frames()) {
      if (typeof frame === 'string') this.#emit(frame)
      else yield frame
    }
  }

  /** All the bytes, once the writer ended the stream; rejects if it was aborted or expired. */
  async readAll(): Promise<Uint8Array<ArrayBuffer>> {
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of this) {
      chunks.push(chunk)
      size += chunk.byteLength
    }
    const all = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      all.set(chunk, offset)
      offset += chunk.byteLength
    }
    return all
  }

  /** A web `ReadableStream` of the binary chunks (one per reader). */
  get readable(): ReadableStream<Uint8Array> {
    return (this.#readable ??= readableOf(this, (reason) => this.cancel(reason)))
  }

  /** Stops reading and aborts the stream: the writer fails with `reason`. */
  async cancel(reason = 'cancelled by the reader'): Promise<void> {
    this.#finish(new StreamError('ABORTED', reason))
    this.#socket?.close(StreamCloseCode.ABORTED, clampCloseReason(reason))
  }

  async #take(): Promise<Frame | undefined> {
    for (;;) {
      const frame = this.#queue.shift()
      if (frame !== undefined) {
        this.#consumed++
        this.#scheduleAck()
        return frame
      }
      if (this.#end === 'end') return undefined
      if (this.#end) throw this.#end
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  /** With nobody iterating, text at the head of the queue goes straight to the listeners (a messages-only reader never stalls). */
  #deliverText(): void {
    if (this.#iterating || this.#listeners.size === 0) return
    while (typeof this.#queue[0] === 'string') {
      this.#consumed++
      this.#emit(this.#queue.shift() as string)
    }
    this.#scheduleAck()
  }

  #emit(text: string): void {
    for (const listener of this.#listeners) listener(text)
  }

  /** Acks are cumulative, so one per turn of the event loop covers every frame taken in it. */
  #scheduleAck(): void {
    if (this.#ackScheduled) return
    this.#ackScheduled = true
    queueMicrotask(() => {
      this.#ackScheduled = false
      if (!this.#socket || this.#consumed <= this.#ackSent) return
      try {
        this.#socket.send(encodeAck(this.#consumed))
        this.#ackSent = this.#consumed
      } catch {
        // The socket is closing: the next one acks again.
      }
    })
  }

  #start(): void {
    if (this.#started) return
    this.#started = true
    this.#open()
  }

  #open(): void {
    if (this.#socket || this.#connecting || this.#end) return
    this.#connecting = true
    withRetries(() => this.#connect(this.#received), this.#everOpened)
      .then((socket) => {
        this.#connecting = false
        if (this.#end) return socket.close(StreamCloseCode.ABORTED, 'cancelled by the reader')
        this.#attach(socket)
      })
      .catch((error: unknown) => {
        this.#connecting = false
        const failure = error instanceof StreamError ? error : new StreamError('UNREACHABLE', String(error))
        // Refused as finished after a drop: the broker had our last ack, so we have everything.
        this.#finish(failure.code === 'FINISHED' && this.#received > 0 ? 'end' : failure)
      })
  }

  #attach(socket: StreamSocket): void {
    this.#socket = socket
    this.#everOpened = true
    this.#ackSent = 0
    socket.addEventListener('message', ({ data }) => {
      this.#queue.push(typeof data === 'string' ? data : bytesOf(data))
      this.#received++
      this.#wake?.()
      this.#deliverText()
    })
    socket.addEventListener('close', ({ code, reason }) => {
      this.#socket = undefined
      if (this.#end) return
      if (code === 1000) return this.#finish('end')
      const error = closeError(code, reason)
      if (error) return this.#finish(error)
      this.#open()
    })
    // Frames taken before a drop may not have been acked: say so again on this socket.
    if (this.#consumed > 0) this.#scheduleAck()
  }

  #finish(end: 'end' | StreamError): void {
    this.#end ??= end
    this.#wake?.()
  }
}
