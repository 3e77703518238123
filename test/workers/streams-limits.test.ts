import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { StreamCloseCode } from '../../src/core/protocol/close'
import { encodeAck } from '../../src/core/streams/frames'
import { createStreamChannel, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, openStreamReader, StreamError } from '../../src/index'
import { request } from './support/test-socket'
import { broker, openRaw, RawEnd, streamPath } from './support/stream-socket'

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<StreamError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof StreamError) return error
    throw error
  }
  throw new Error('expected a StreamError, but it resolved')
}

const settled = async (promise: Promise<unknown>) => {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  return done
}

describe('backpressure', () => {
  it('with a slow reader the broker never holds more than bufferFrames, and write() waits for credit', async () => {
    const { writer, readerRef } = await createStreamChannel(env, { bufferFrames: 4 })
    const stub = broker(readerRef)
    const writes = Array.from({ length: 12 }, (_, n) => writer.write(new Uint8Array(1024).fill(n)))
    const reader = await RawEnd.open(streamPath(readerRef))
    await reader.waitFor(4)
    // Four frames out, none acknowledged: the fifth write waits.
    expect(await settled(writes[3]!)).toBe(true)
    expect(await settled(writes[4]!)).toBe(false)
    let status = await stub.streamStatus()
    expect(status).toMatchObject({ held: 4, written: 4, acked: 0 })
    for (let acked = 1; acked <= 12; acked++) {
      reader.ws.send(encodeAck(acked))
      await reader.waitFor(Math.min(12, acked + 4))
      status = await stub.streamStatus()
      expect(status!.held).toBeLessThanOrEqual(4)
    }
    await Promise.all(writes)
    await writer.close()
    expect(await reader.closeInfo()).toEqual({ code: 1000, reason: 'end' })
    status = await stub.streamStatus()
    expect(status).toMatchObject({ phase: 'done', held: 0, written: 12, acked: 12, maxHeld: 4 })
    expect(reader.frames.map((f) => (f as Uint8Array)[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })

  it('a foreign writer that ignores its credit is closed with 4905, and the reader is told the stream was aborted', async () => {
    const { writerRef, reader } = await createStreamChannel(env, { bufferFrames: 2 })
    const reading = failure(reader.readAll())
    const writer = await RawEnd.open(streamPath(writerRef))
    await writer.waitFor(1)
    expect(writer.credit()).toEqual({ credit: 2, received: 0 })
    for (let i = 0; i < 3; i++) writer.ws.send(new Uint8Array([i]))
    expect((await writer.closeInfo()).code).toBe(StreamCloseCode.CREDIT_EXCEEDED)
    const error = await reading
    expect(error.code).toBe('ABORTED')
    expect(error.message).toMatch(/past the credit/)
  })
})

describe('frames a foreign writer may not send', () => {
  it.each([
    ['a binary frame over 64 KiB', () => new Uint8Array(MAX_FRAME_BYTES + 1), StreamCloseCode.FRAME_TOO_LARGE, /binary frame of 65537 bytes/],
    ['a text message over 64 KiB', () => 'x'.repeat(MAX_MESSAGE_BYTES + 1), StreamCloseCode.MESSAGE_TOO_LARGE, /text message over/],
  ])('%s: the writer is closed with its own code, the reader told the stream was aborted', async (_, frame, code, reason) => {
    const { writerRef, readerRef } = await createStreamChannel(env)
    const reader = await RawEnd.open(streamPath(readerRef))
    const writer = await RawEnd.open(streamPath(writerRef))
    writer.ws.send(frame())
    expect((await writer.closeInfo()).code).toBe(code)
    const told = await reader.closeInfo()
    expect(told.code).toBe(StreamCloseCode.ABORTED)
    expect(told.reason).toMatch(reason)
    expect((await openRaw(streamPath(readerRef))).status).toBe(410)
  })

  it('frames of exactly 64 KiB pass', async () => {
    const { writerRef, reader } = await createStreamChannel(env)
    const writer = await RawEnd.open(streamPath(writerRef))
    writer.ws.send(new Uint8Array(MAX_FRAME_BYTES))
    writer.ws.send('y'.repeat(MAX_MESSAGE_BYTES))
    writer.ws.close(1000)
    expect(await writer.closeInfo()).toEqual({ code: 1000, reason: 'end' })
    const messages: string[] = []
    reader.onMessage((m) => messages.push(m))
    expect((await reader.readAll()).byteLength).toBe(MAX_FRAME_BYTES)
    expect(messages[0]!.length).toBe(MAX_MESSAGE_BYTES)
  })

  it('the client refuses what the broker would: bytes after close(), an oversized message', async () => {
    const { writer } = await createStreamChannel(env)
    expect((await failure(writer.sendMessage('z'.repeat(MAX_MESSAGE_BYTES + 1)))).code).toBe('REFUSED')
    await writer.close()
    expect((await failure(writer.write('more'))).code).toBe('CLOSED')
    expect((await failure(writer.sendMessage('more'))).code).toBe('CLOSED')
  })

  it('a reader that sends binary, or acks past what it got, is closed with 4906 and may reopen', async () => {
    const { writer, readerRef } = await createStreamChannel(env)
    await writer.write('abc')
    const first = await RawEnd.open(streamPath(readerRef))
    first.ws.send(new Uint8Array([1]))
    expect((await first.closeInfo()).code).toBe(StreamCloseCode.PROTOCOL_ERROR)
    const second = await RawEnd.open(streamPath(readerRef))
    second.ws.send(encodeAck(2))
    expect((await second.closeInfo()).code).toBe(StreamCloseCode.PROTOCOL_ERROR)
    const third = await RawEnd.open(streamPath(readerRef))
    await third.waitFor(1)
    expect(new TextDecoder().decode(third.frames[0] as Uint8Array)).toBe('abc')
    third.ws.close(1000)
  })
})

describe('end, abort and expiry are told apart', () => {
  it('an abort reaches the reader with the writer\'s reason, and a late opener learns it too', async () => {
    const { writer, reader, readerRef, writerRef } = await createStreamChannel(env)
    const reading = failure(reader.readAll())
    await writer.write('partial')
    await writer.abort('disk full')
    const error = await reading
    expect(error.code).toBe('ABORTED')
    expect(error.message).toBe('disk full')
    const late = await failure(openStreamReader(env, readerRef).readAll())
    expect(late.code).toBe('ABORTED')
    expect(late.message).toMatch(/disk full/)
    const refused = await openRaw(streamPath(writerRef))
    expect(refused.status).toBe(410)
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'STREAM_ABORTED' })
    expect((await broker(readerRef).streamStatus())?.held).toBe(0)
  })

  it('a reader cancelling aborts the stream for the writer', async () => {
    const { writer, reader } = await createStreamChannel(env, { bufferFrames: 1 })
    await writer.write('one')
    const iterator = reader[Symbol.asyncIterator]()
    await iterator.next()
    await reader.cancel('not interested')
    const error = await failure((async () => {
      for (;;) await writer.write('more')
    })())
    expect(error.code).toBe('ABORTED')
    expect(error.message).toMatch(/not interested/)
  })

  it('a stream no writer opened expires when its alarm runs, and the waiting reader is told so', async () => {
    const { reader, readerRef } = await createStreamChannel(env, { ttlMs: 60_000 })
    const stub = broker(readerRef)
    const reading = failure(reader.readAll())
    await expect.poll(async () => (await stub.streamStatus())?.readerOpen).toBe(true)
    // An early alarm finds the stream not yet due, and waits for its time.
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect((await stub.streamStatus())?.phase).toBe('open')
    await idleFor(stub, 60_000)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    const error = await reading
    expect(error.code).toBe('EXPIRED')
    expect(error.message).toMatch(/no writer opened it within 60000 ms/)
    const refused = await openRaw(streamPath(readerRef))
    expect(refused.status).toBe(410)
    expect(((await refused.json()) as any).error.code).toBe('STREAM_EXPIRED')
    // The record is kept a TTL so late openers learn why; the next alarm deletes it.
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect((await openRaw(streamPath(readerRef))).status).toBe(404)
  })

  it('a stream idle past its TTL mid-way expires for the writer too', async () => {
    const { writer, readerRef } = await createStreamChannel(env, { ttlMs: 60_000, bufferFrames: 1 })
    await writer.write('a')
    const blocked = failure(writer.write('b'))
    const reader = await RawEnd.open(streamPath(readerRef))
    await reader.waitFor(1)
    await idleFor(broker(readerRef), 60_000)
    expect(await runDurableObjectAlarm(broker(readerRef))).toBe(true)
    expect((await reader.closeInfo()).code).toBe(StreamCloseCode.EXPIRED)
    const error = await blocked
    expect(error.code).toBe('EXPIRED')
    expect(error.message).toMatch(/idle for 60000 ms/)
  })
})

describe('openings refused before the upgrade', () => {
  it('400 for a broken ref, 403 for a wrong key, 404 for an unknown stream, 426 for no upgrade', async () => {
    const { writerRef, readerRef } = await createStreamChannel(env)
    const status = async (path: string) => (await openRaw(path)).status
    expect(await status(`/ws/channels/not-a-uuid?key=${readerRef.access_key}&dir=read`)).toBe(400)
    expect(await status(`/ws/channels/${readerRef.channel_id}?dir=read`)).toBe(400)
    expect(await status(`/ws/channels/${readerRef.channel_id}?key=${readerRef.access_key}&dir=both`)).toBe(400)
    expect(await status(`/ws/channels/${readerRef.channel_id}?key=${readerRef.access_key}`)).toBe(400)
    expect(await status(streamPath(readerRef, '&from=-1'))).toBe(400)
    expect(await status(streamPath(readerRef, '&from=3'))).toBe(400)
    expect(await status(streamPath({ ...writerRef, access_key: readerRef.access_key }))).toBe(403)
    expect(await status(streamPath({ ...readerRef, direction: 'write' }))).toBe(403)
    expect(await status(streamPath({ ...readerRef, channel_id: crypto.randomUUID() }))).toBe(404)
    expect((await request(streamPath(readerRef))).status).toBe(426)
    const broken = (await (await openRaw(`/ws/channels/${readerRef.channel_id}?key=short&dir=read`)).json()) as any
    expect(broken.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['key'] }] })
  })

  it('409 for a second writer while the first is open; a probe tells the same without upgrading', async () => {
    const { writerRef } = await createStreamChannel(env)
    const first = await RawEnd.open(streamPath(writerRef))
    expect((await openRaw(streamPath(writerRef))).status).toBe(409)
    const probe = await request(streamPath(writerRef), { headers: { 'x-pikku-probe': '1' } })
    expect(probe.status).toBe(409)
    first.ws.close(4000, 'drop')
    await first.closeInfo()
    await expect.poll(async () => (await request(streamPath(writerRef), { headers: { 'x-pikku-probe': '1' } })).status).toBe(204)
  })

  it('channels({ streams: false }) leaves the path alone', async () => {
    const { readerRef } = await createStreamChannel(env)
    expect((await openRaw(`/nostreams${streamPath(readerRef)}`)).status).toBe(404)
  })
})

/** Makes the broker's stream look idle for `ms`: its last activity moved back (no clock to fake in an object). */
async function idleFor(stub: ReturnType<typeof broker>, ms: number): Promise<void> {
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE pikku_stream SET record = json_set(record, '$.activeAt', json_extract(record, '$.activeAt') - ?)", ms + 1)
  })
}
