import { describe, expect, it } from 'vitest'
import { encodeCredit } from '../../../src/core/streams/frames'
import { StreamReader } from '../../../src/core/streams/reader'
import type { StreamConnect, StreamSocket } from '../../../src/core/streams/socket'
import { StreamError } from '../../../src/core/streams/stream-error'
import { StreamWriter } from '../../../src/core/streams/writer'

type Listener = (event: any) => void

/** One socket, with the test as the broker: it reads `sent`, pushes frames, and closes. */
class BrokerSide implements StreamSocket {
  binaryType = 'arraybuffer'
  readonly sent: (string | ArrayBuffer | ArrayBufferView)[] = []
  closedWith: { code?: number; reason?: string } | undefined
  readonly #listeners: Record<string, Listener[]> = {}

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.closedWith) throw new Error('send after close')
    this.sent.push(data)
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
  }
  addEventListener(type: string, listener: Listener): void {
    ;(this.#listeners[type] ??= []).push(listener)
  }
  push(data: string | Uint8Array): void {
    for (const l of this.#listeners.message ?? []) l({ data: typeof data === 'string' ? data : data.slice().buffer })
  }
  /** The broker's close (or its echo of ours). */
  end(code: number, reason = ''): void {
    for (const l of this.#listeners.close ?? []) l({ code, reason })
  }
}

/** A connect handing out scripted sockets, remembering each `from`. */
function sockets() {
  const made: BrokerSide[] = []
  const froms: (number | undefined)[] = []
  const connect: StreamConnect = async (from) => {
    froms.push(from)
    const socket = new BrokerSide()
    made.push(socket)
    return socket
  }
  return { made, froms, connect }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))
const state = (promise: Promise<unknown>) => {
  const seen = { settled: false }
  void promise.then(() => (seen.settled = true), () => (seen.settled = true))
  return seen
}

describe('StreamWriter', () => {
  it('sends nothing before its first credit, then only what the credit allows; write() waits for it', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    const first = state(writer.write(new Uint8Array(3)))
    const second = state(writer.sendMessage('two'))
    const third = state(writer.write(new Uint8Array(1)))
    await tick()
    const socket = made[0]!
    expect(socket.sent).toEqual([])
    socket.push(encodeCredit({ credit: 2, received: 0 }))
    await tick()
    expect(socket.sent.length).toBe(2)
    expect([first.settled, second.settled, third.settled]).toEqual([true, true, false])
    socket.push(encodeCredit({ credit: 3, received: 2 }))
    await tick()
    expect(third.settled).toBe(true)
  })

  it('close() ends after the last frame and resolves only on the broker\'s 1000', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    void writer.write('x')
    const closing = state(writer.close())
    await tick()
    const socket = made[0]!
    socket.push(encodeCredit({ credit: 64, received: 0 }))
    await tick()
    expect(socket.sent.length).toBe(1)
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'end' })
    await tick()
    expect(closing.settled).toBe(false)
    socket.end(1000, 'end')
    await tick()
    expect(closing.settled).toBe(true)
  })

  it('after a drop it reopens and sends again from what the broker says it has', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    for (let i = 0; i < 4; i++) void writer.write(new Uint8Array([i]))
    await tick()
    made[0]!.push(encodeCredit({ credit: 64, received: 0 }))
    await tick()
    expect(made[0]!.sent.length).toBe(4)
    made[0]!.end(1006)
    await tick()
    made[1]!.push(encodeCredit({ credit: 66, received: 2 }))
    await tick()
    expect(made[1]!.sent.map((f) => new Uint8Array(f as ArrayBuffer)[0])).toEqual([2, 3])
  })

  it('a new writer on a ref another writer used appends after what the broker stored, dropping nothing of its own', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    const written = writer.write(new Uint8Array([7]))
    await tick()
    made[0]!.push(encodeCredit({ credit: 69, received: 5 }))
    await written
    expect(made[0]!.sent.map((f) => new Uint8Array(f as ArrayBuffer)[0])).toEqual([7])
  })

  it('thousands of frames go out once each, in order, as stored frames are dropped in batches', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    const all = Promise.all(Array.from({ length: 3000 }, (_, n) => writer.sendMessage(`m${n}`)))
    await tick()
    for (let received = 0; received <= 3000; received += 250) {
      made[0]!.push(encodeCredit({ credit: received + 300, received }))
      await tick()
    }
    await all
    expect(made[0]!.sent).toEqual(Array.from({ length: 3000 }, (_, n) => `m${n}`))
  })

  it('close() resolves when the echo was lost but the broker, asked again, says the writer already ended', async () => {
    const made: BrokerSide[] = []
    let opens = 0
    const writer = new StreamWriter(async () => {
      if (opens++ > 0) throw new StreamError('FINISHED', 'The writer already ended this stream')
      const socket = new BrokerSide()
      made.push(socket)
      return socket
    })
    const closing = writer.close()
    await tick()
    made[0]!.push(encodeCredit({ credit: 64, received: 0 }))
    await tick()
    expect(made[0]!.closedWith?.code).toBe(1000)
    made[0]!.end(1006) // the end reached the broker; its echo did not come back
    await closing
    expect(opens).toBe(2)
  })

  it('a close that says the stream expired fails every pending write with EXPIRED', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    const pending = writer.write('stuck')
    await tick()
    made[0]!.end(4902, 'idle for 1000 ms')
    await expect(pending).rejects.toMatchObject({ code: 'EXPIRED', message: 'idle for 1000 ms' })
    await expect(writer.write('more')).rejects.toBeInstanceOf(StreamError)
  })

  it('abort() closes with 4901 and the reason, and fails the writes still waiting', async () => {
    const { made, connect } = sockets()
    const writer = new StreamWriter(connect)
    const waiting = writer.write('never sent')
    await tick()
    const aborting = writer.abort('disk full')
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED', message: 'disk full' })
    expect(made[0]!.closedWith).toEqual({ code: 4901, reason: 'disk full' })
    made[0]!.end(4901, 'disk full')
    await aborting
  })
})

describe('StreamReader', () => {
  it('acks what was taken, once per turn, cumulatively', async () => {
    const { made, connect } = sockets()
    const reader = new StreamReader(connect)
    const iterator = reader.frames()
    const first = iterator.next()
    await tick()
    const socket = made[0]!
    socket.push(new Uint8Array([1]))
    socket.push('m')
    socket.push(new Uint8Array([2]))
    await first
    await iterator.next()
    await iterator.next()
    await tick()
    const acks = socket.sent.map((f) => JSON.parse(f as string).ack as number)
    // Cumulative and rising, ending at what was taken; a turn that took several frames acks them in one.
    expect(acks.at(-1)).toBe(3)
    expect(acks).toEqual([...acks].sort())
    expect(new Set(acks).size).toBe(acks.length)
    // Nothing more was taken, so nothing more is acked.
    await tick()
    expect(socket.sent.length).toBe(acks.length)
  })

  it('a messages-only reader gets text at once, and stops at binary until something iterates', async () => {
    const { made, connect } = sockets()
    const reader = new StreamReader(connect)
    const messages: string[] = []
    reader.onMessage((m) => messages.push(m))
    await tick()
    made[0]!.push('a')
    made[0]!.push(new Uint8Array([9]))
    made[0]!.push('b')
    expect(messages).toEqual(['a'])
    const chunks: number[] = []
    const reading = (async () => {
      for await (const chunk of reader) chunks.push(chunk[0]!)
    })()
    await tick()
    made[0]!.end(1000, 'end')
    await reading
    expect(chunks).toEqual([9])
    expect(messages).toEqual(['a', 'b'])
  })

  it('reconnects after a drop saying how many frames it has', async () => {
    const { made, froms, connect } = sockets()
    const reader = new StreamReader(connect)
    const all = reader.readAll()
    await tick()
    made[0]!.push(new Uint8Array([1, 2]))
    made[0]!.end(1006)
    await tick()
    made[1]!.push(new Uint8Array([3]))
    made[1]!.end(1000, 'end')
    expect([...(await all)]).toEqual([1, 2, 3])
    expect(froms).toEqual([0, 1])
  })

  it('an abort rejects readAll() with the writer\'s reason; an expiry with its own error', async () => {
    for (const [code, expected] of [
      [4901, 'ABORTED'],
      [4902, 'EXPIRED'],
    ] as const) {
      const { made, connect } = sockets()
      const reader = new StreamReader(connect)
      const all = reader.readAll()
      await tick()
      made[0]!.push(new Uint8Array([1]))
      made[0]!.end(code, 'why')
      await expect(all).rejects.toMatchObject({ code: expected, message: 'why' })
    }
  })
})
