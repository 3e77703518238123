import { clampCloseReason, CloseCode, StreamCloseCode } from '../protocol/close'
import { cutFrames, parseCredit, type CreditFrame } from './frames'
import { MAX_MESSAGE_BYTES } from './limits'
import { exceeds } from '../bytes'
import { withRetries } from './retry'
import type { StreamConnect, StreamSocket } from './socket'
import { closeError, StreamError } from './stream-error'
import { writableOf } from './web-streams'

type Frame = string | Uint8Array

interface Waiter {
  /** Resolves once the frames up to this number are sent. */
  upTo: number
  resolve: () => void
  reject: (error: StreamError) => void
}

/**
 * The writer end of a stream. `write` and `sendMessage` resolve once their
 * frames went out under the credit the broker granted, so awaiting them is
 * backpressure. Frames are kept until the broker reports them stored, so a
 * dropped socket is reopened and the missing frames sent again, once each.
 * `close` resolves when the broker confirms the end (its close echo comes
 * after it stored every frame): no sleep before closing.
 */
export class StreamWriter {
  readonly #connect: StreamConnect
  /** Frames sent or waiting, not yet reported stored: `#kept[#head]` is frame `#stored + 1`. */
  #kept: Frame[] = []
  /** Stored frames at the front of `#kept`, dropped in batches (shifting a long array per credit is quadratic). */
  #head = 0
  #stored = 0
  /** Frames sent on the current socket (a frame number). */
  #sent = 0
  #credit = 0
  readonly #waiters: Waiter[] = []
  #socket: StreamSocket | undefined
  /** Whether the current socket had its first credit frame (which says where to resume). */
  #synced = false
  #connecting = false
  #everOpened = false
  /** Whether any socket had its first credit: until then this writer does not know where the stream is. */
  #everSynced = false
  #ending: 'close' | 'abort' | undefined
  #abortReason = ''
  #endSent = false
  #failure: StreamError | undefined
  #writable: WritableStream<Uint8Array> | undefined
  #done: { promise: Promise<void>; resolve: () => void; reject: (error: StreamError) => void } | undefined

  constructor(connect: StreamConnect) {
    this.#connect = connect
  }

  /** Sends bytes (a string as UTF-8), cut into frames of at most 64 KiB. */
  write(data: Uint8Array | ArrayBuffer | string): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data
    return this.#enqueue(cutFrames(bytes))
  }

  /** Sends a text message, in order with the bytes. */
  sendMessage(text: string): Promise<void> {
    if (exceeds(text, MAX_MESSAGE_BYTES)) return Promise.reject(new StreamError('REFUSED', `A text message may take at most ${MAX_MESSAGE_BYTES} bytes`))
    return this.#enqueue([text])
  }

  /** Ends the stream cleanly once everything written is sent; resolves when the broker confirms it has it all. */
  close(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#ending === 'abort') return Promise.reject(new StreamError('CLOSED', 'The writer was aborted'))
    this.#ending = 'close'
    this.#open()
    this.#flush()
    return this.#finished().promise
  }

  /** Gives up: the reader's `readAll()` and iteration fail with `reason` (at most 123 bytes). Frames not yet read are discarded. */
  abort(reason = 'aborted'): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#ending === 'abort') return this.#finished().promise
    this.#ending = 'abort'
    this.#abortReason = clampCloseReason(reason)
    this.#rejectWaiters(new StreamError('ABORTED', this.#abortReason))
    this.#kept = []
    this.#head = 0
    if (this.#socket) this.#socket.close(StreamCloseCode.ABORTED, this.#abortReason)
    else this.#open()
    return this.#finished().promise
  }

  /** A web `WritableStream` over this writer, with its backpressure (one per writer). */
  get writable(): WritableStream<Uint8Array> {
    return (this.#writable ??= writableOf(this))
  }

  #enqueue(frames: Frame[]): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#ending) return Promise.reject(new StreamError('CLOSED', `Nothing can be written after ${this.#ending}()`))
    for (const frame of frames) this.#kept.push(frame)
    const upTo = this.#stored + this.#kept.length - this.#head
    if (upTo <= this.#sent) return Promise.resolve()
    const written = new Promise<void>((resolve, reject) => this.#waiters.push({ upTo, resolve, reject }))
    this.#open()
    this.#flush()
    return written
  }

  /** Sends what the credit allows, then the end once everything is out. */
  #flush(): void {
    const socket = this.#socket
    if (!socket || !this.#synced) return
    const total = this.#stored + this.#kept.length - this.#head
    for (; this.#sent < total && this.#sent < this.#credit; this.#sent++) {
      try {
        socket.send(this.#kept[this.#head + this.#sent - this.#stored]!)
      } catch {
        // The socket is closing; its close event reopens and resends from what the broker has.
        return
      }
    }
    while (this.#waiters.length > 0 && this.#waiters[0]!.upTo <= this.#sent) this.#waiters.shift()!.resolve()
    if (this.#ending === 'close' && this.#sent === total && !this.#endSent) {
      this.#endSent = true
      socket.close(CloseCode.NORMAL, 'end')
    }
  }

  #onCredit(frame: CreditFrame): void {
    if (!this.#everSynced) {
      // A new writer on a ref another writer used: what it wrote so far follows the frames already stored.
      this.#everSynced = true
      const shift = frame.received - this.#stored
      this.#stored = frame.received
      for (const waiter of this.#waiters) waiter.upTo += shift
    } else if (frame.received > this.#stored) {
      this.#head += frame.received - this.#stored
      this.#stored = frame.received
      if (this.#head > 1024 && this.#head * 2 > this.#kept.length) {
        this.#kept = this.#kept.slice(this.#head)
        this.#head = 0
      }
    }
    // The first credit on a socket says where the broker's frames end: send again from there.
    if (!this.#synced) {
      this.#synced = true
      this.#sent = this.#stored
    }
    this.#credit = frame.credit
    this.#flush()
  }

  #onClose(code: number, reason: string): void {
    this.#socket = undefined
    if ((this.#ending === 'close' && this.#endSent && code === CloseCode.NORMAL) || (this.#ending === 'abort' && code === StreamCloseCode.ABORTED)) {
      this.#finished().resolve()
      return
    }
    const error = closeError(code, reason)
    if (error) return this.#fail(error)
    // A drop: reopen if anything is still to be sent, stored or ended.
    const pending = this.#kept.length > this.#head || this.#ending !== undefined
    if (pending) this.#open()
  }

  #open(): void {
    if (this.#socket || this.#connecting || this.#failure) return
    this.#connecting = true
    withRetries(() => this.#connect(), this.#everOpened)
      .then((socket) => {
        this.#connecting = false
        this.#attach(socket)
      })
      .catch((error: unknown) => {
        this.#connecting = false
        const failure = error instanceof StreamError ? error : new StreamError('UNREACHABLE', String(error))
        // The broker already has the end (its echo was lost with the socket): that is what close() waited for.
        if (failure.code === 'FINISHED' && this.#ending === 'close') return this.#finished().resolve()
        if (failure.code === 'ABORTED' && this.#ending === 'abort') return this.#finished().resolve()
        this.#fail(failure)
      })
  }

  #attach(socket: StreamSocket): void {
    this.#socket = socket
    this.#everOpened = true
    this.#synced = false
    this.#endSent = false
    socket.addEventListener('message', ({ data }) => {
      const credit = typeof data === 'string' ? parseCredit(data) : undefined
      if (credit) this.#onCredit(credit)
    })
    socket.addEventListener('close', ({ code, reason }) => this.#onClose(code, reason))
    if (this.#ending === 'abort') socket.close(StreamCloseCode.ABORTED, this.#abortReason)
  }

  #fail(error: StreamError): void {
    this.#failure = error
    this.#rejectWaiters(error)
    this.#done?.reject(error)
  }

  #rejectWaiters(error: StreamError): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
  }

  #finished() {
    if (!this.#done) {
      let resolve!: () => void
      let reject!: (error: StreamError) => void
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
      this.#done = { promise, resolve, reject }
      if (this.#failure) reject(this.#failure)
    }
    return this.#done
  }
}
