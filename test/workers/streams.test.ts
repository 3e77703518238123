import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createStreamChannel, openStreamReader } from '../../src/index'
import { broker, openRaw, randomBytes, RawEnd, sha256, streamPath } from './support/stream-socket'

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

  it('refuses a second reader with 409 before the upgrade, and the reader key on the writer end with 403', async () => {
    const { readerRef, writerRef } = await createStreamChannel(env)
    const first = await RawEnd.open(streamPath(readerRef))
    const second = await openRaw(streamPath(readerRef))
    expect(second.status).toBe(409)
    expect(((await second.json()) as any).error.code).toBe('STREAM_BUSY')
    const wrongKey = await openRaw(streamPath({ ...writerRef, access_key: readerRef.access_key }))
    expect(wrongKey.status).toBe(403)
    first.ws.close(1000)
  })
})
