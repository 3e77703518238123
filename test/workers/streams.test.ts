import { evictDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { stubConnect } from '../../src/cloudflare/streams/stub-connect'
import { PING_FRAME } from '../../src/core/protocol/actions'
import { encodeAck } from '../../src/core/streams/frames'
import { createStreamChannel, openStreamReader, StreamReader, StreamWriter } from '../../src/index'
import { broker, droppingOnce, openRaw, randomBytes, RawEnd, sha256, streamPath } from './support/stream-socket'

/** A 4-byte frame holding n, and back. */
const numbered = (n: number) => new Uint8Array(new Uint32Array([n]).buffer)
const numberOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true)
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const MiB = 1024 * 1024

describe('a stream through the broker', () => {
  it('carries 10 MiB with text messages interleaved, in one order, SHA-256 equal on both ends', async () => {
    const { writer, reader } = await createStreamChannel(env)
    const data = randomBytes(10 * MiB)
    const order: string[] = []
    const reading = (async () => {
      const chunks: Uint8Array[] = []
      for await (const frame of reader.frames()) {
        if (typeof frame === 'string') order.push(`frame:${frame}`)
        else {
          chunks.push(frame)
          order.push(`bytes:${frame.byteLength}`)
        }
      }
      return chunks
    })()
    await writer.sendMessage('start')
    const third = data.length / 4
    for (let i = 0; i < 4; i++) {
      await writer.write(data.subarray(i * third, (i + 1) * third))
      await writer.sendMessage(`part ${i}`)
    }
    await writer.close()
    const chunks = await reading
    const received = new Uint8Array(data.length)
    let offset = 0
    for (const chunk of chunks) {
      expect(chunk.byteLength).toBeLessThanOrEqual(64 * 1024)
      received.set(chunk, offset)
      offset += chunk.byteLength
    }
    expect(offset).toBe(data.length)
    expect(await sha256(received)).toBe(await sha256(data))
    const texts = order.filter((o) => o.startsWith('frame:'))
    expect(texts).toEqual(['frame:start', 'frame:part 0', 'frame:part 1', 'frame:part 2', 'frame:part 3'])
    // Each "part i" comes right after the bytes of part i: 2.5 MiB is 40 frames of 64 KiB.
    const positions = texts.map((t) => order.indexOf(t))
    expect(positions).toEqual([0, 41, 82, 123, 164])
  })

  it('a late reader gets everything the writer sent and ended before it came', async () => {
    const { writer, readerRef } = await createStreamChannel(env)
    await writer.write(new TextEncoder().encode('hello, '))
    await writer.sendMessage('meta')
    await writer.write('late reader')
    await writer.close()
    expect((await broker(readerRef).streamStatus())?.phase).toBe('ended')
    const reader = openStreamReader(env, readerRef)
    const messages: string[] = []
    reader.onMessage((m) => messages.push(m))
    expect(new TextDecoder().decode(await reader.readAll())).toBe('hello, late reader')
    expect(messages).toEqual(['meta'])
    expect((await broker(readerRef).streamStatus())?.phase).toBe('done')
  })

  it('a reader after evictDurableObject still gets every byte, written before and after the eviction', async () => {
    const { writer, readerRef } = await createStreamChannel(env)
    await writer.write('before ')
    await writer.sendMessage('between')
    await evictDurableObject(broker(readerRef))
    await writer.write('after')
    await writer.close()
    await evictDurableObject(broker(readerRef))
    const frames: (string | Uint8Array)[] = []
    for await (const frame of openStreamReader(env, readerRef).frames()) frames.push(frame)
    expect(frames.map((f) => (typeof f === 'string' ? `text:${f}` : new TextDecoder().decode(f)))).toEqual(['before ', 'text:between', 'after'])
  })

  it('a reader that drops mid-stream reconnects and gets the rest exactly once, in order', async () => {
    const { writer, readerRef } = await createStreamChannel(env, { bufferFrames: 4 })
    const dropping = droppingOnce(stubConnect(broker(readerRef), readerRef), 6, 'received')
    const reader = new StreamReader(dropping.connect)
    const writing = (async () => {
      for (const n of range(40)) await writer.write(numbered(n))
      await writer.close()
    })()
    const got: number[] = []
    for await (const chunk of reader) got.push(numberOf(chunk))
    await writing
    expect(got).toEqual(range(40))
    expect(dropping.opens.length).toBe(2)
    expect(dropping.opens[1]).toBeGreaterThanOrEqual(6)
  })

  it('a plain reader resumes with from=<frames it has>: the broker sends only the ones after', async () => {
    const { writer, readerRef } = await createStreamChannel(env)
    for (const n of range(5)) await writer.write(numbered(n))
    const first = await RawEnd.open(streamPath(readerRef))
    await first.waitFor(5)
    first.ws.send(encodeAck(2))
    first.ws.close(4000, 'going')
    await first.closeInfo()
    await writer.write(numbered(5))
    await writer.close()
    const again = await RawEnd.open(streamPath(readerRef, '&from=5'))
    await again.waitFor(1)
    expect(again.frames.map((f) => numberOf(f as Uint8Array))).toEqual([5])
    again.ws.send(encodeAck(6))
    expect(await again.closeInfo()).toEqual({ code: 1000, reason: 'end' })
    expect((await broker(readerRef).streamStatus())?.phase).toBe('done')
  })

  it('a writer that drops mid-stream reconnects and sends each frame once', async () => {
    const { writerRef, reader } = await createStreamChannel(env, { bufferFrames: 8 })
    const dropping = droppingOnce(stubConnect(broker(writerRef), writerRef), 5, 'sent')
    const writer = new StreamWriter(dropping.connect)
    const writing = (async () => {
      for (const n of range(30)) await writer.write(numbered(n))
      await writer.close()
    })()
    const got: number[] = []
    for await (const chunk of reader) got.push(numberOf(chunk))
    await writing
    expect(got).toEqual(range(30))
    expect(dropping.opens.length).toBe(2)
    expect((await broker(writerRef).streamStatus())?.written).toBe(30)
  })

  it('text that reads like a keepalive is a message like any other (stream objects answer no pings)', async () => {
    const { writer, reader } = await createStreamChannel(env)
    await writer.sendMessage(PING_FRAME)
    await writer.close()
    const frames: (string | Uint8Array)[] = []
    for await (const frame of reader.frames()) frames.push(frame)
    expect(frames).toEqual([PING_FRAME])
  })

  it('an empty stream ends cleanly: close() with nothing written, readAll() gives no bytes', async () => {
    const { writer, reader } = await createStreamChannel(env)
    await writer.close()
    expect((await reader.readAll()).byteLength).toBe(0)
  })
})
