import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import WebSocket from 'ws'
import { openReader, openWriter, type StreamRef, type StreamSocketClass } from '../../src/client/index'
import { DevServer } from './support/dev-server'
import { randomRoom, TestClient, wsUrl } from './support/client'

// Binary streams over real `wrangler dev`, with Node (and the `ws` package) at the ends.

const server = new DevServer({ config: 'test/e2e/streams-worker/wrangler.toml' })
/**
 * `ws` without compression: then it delivers a frame that came with the 101 in
 * the same tick as `open`, before an end can listen (what holdingMessages is for).
 */
class PlainSocket extends WebSocket {
  constructor(url: string) {
    super(url, { perMessageDeflate: false })
  }
}
const Socket = PlainSocket as unknown as StreamSocketClass

beforeAll(() => server.start(), 60_000)
afterAll(() => server.dispose())

async function post<T>(base: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, base), { method: 'POST' })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

describe('streams end to end', () => {
  test('10 MiB written by a Worker reach a Node reader whole, SHA-256 equal, messages in order', { timeout: 60_000 }, async () => {
    const { readerRef, sha256 } = await post<{ readerRef: StreamRef; sha256: string }>(server.baseUrl, '/fill?mib=10')
    const reader = openReader(readerRef, { url: server.baseUrl, WebSocket: Socket })
    const hash = createHash('sha256')
    const order: string[] = []
    let bytes = 0
    for await (const frame of reader.frames()) {
      if (typeof frame === 'string') order.push(`${frame}@${bytes}`)
      else {
        hash.update(frame)
        bytes += frame.byteLength
      }
    }
    expect(bytes).toBe(10 * 1024 * 1024)
    expect(hash.digest('hex')).toBe(sha256)
    expect(order).toEqual(Array.from({ length: 10 }, (_, i) => `part ${i}@${i * 1024 * 1024}`))
  })

  test('a late Node reader, after the writer ended, gets every frame the broker sends on accept', { timeout: 30_000 }, async () => {
    const { readerRef, sha256 } = await post<{ readerRef: StreamRef; sha256: string }>(server.baseUrl, '/fill?mib=0.5&late')
    const reader = openReader(readerRef, { url: server.baseUrl, WebSocket: Socket })
    const messages: string[] = []
    reader.onMessage((m) => messages.push(m))
    expect(createHash('sha256').update(await reader.readAll()).digest('hex')).toBe(sha256)
    expect(messages).toEqual(['part 0'])
  })

  test('a Node writer to a Node reader through the public URL, with a small buffer (8 frames): backpressure end to end', { timeout: 60_000 }, async () => {
    const { writerRef, readerRef } = await post<{ writerRef: StreamRef; readerRef: StreamRef }>(server.baseUrl, '/streams?bufferFrames=8')
    const writer = openWriter(writerRef, { url: server.baseUrl, WebSocket: Socket })
    const reader = openReader(readerRef, { url: server.baseUrl, WebSocket: Socket })
    const sent = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 251)
    const writing = (async () => {
      await writer.write(sent)
      await writer.sendMessage('done')
      await writer.close()
    })()
    const messages: string[] = []
    reader.onMessage((m) => messages.push(m))
    const got = await reader.readAll()
    await writing
    expect(Buffer.from(got).equals(Buffer.from(sent))).toBe(true)
    expect(messages).toEqual(['done'])
  })

  test("pipeline() from a file into the writer and from the reader into a file, as the README shows", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pikku-stream-files-'))
    try {
      writeFileSync(join(dir, 'in.bin'), randomBytes(3 * 1024 * 1024 + 17))
      const { writerRef, readerRef } = await post<{ writerRef: StreamRef; readerRef: StreamRef }>(server.baseUrl, '/streams?bufferFrames=4')
      const writer = openWriter(writerRef, { url: server.baseUrl, WebSocket: Socket })
      const reader = openReader(readerRef, { url: server.baseUrl, WebSocket: Socket })
      await Promise.all([
        pipeline(createReadStream(join(dir, 'in.bin')), Writable.fromWeb(writer.writable)),
        pipeline(reader, createWriteStream(join(dir, 'out.bin'))),
      ])
      expect(readFileSync(join(dir, 'out.bin')).equals(readFileSync(join(dir, 'in.bin')))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('refusals reach a Node client as errors: a second reader is BUSY, the reader key on the writer FORBIDDEN', { timeout: 30_000 }, async () => {
    const { writerRef, readerRef } = await post<{ writerRef: StreamRef; readerRef: StreamRef }>(server.baseUrl, '/streams')
    const first = openReader(readerRef, { url: server.baseUrl, WebSocket: Socket })
    const firstRead = first.readAll()
    const writer = openWriter(writerRef, { url: server.baseUrl, WebSocket: Socket })
    await writer.sendMessage('hello')
    await new Promise((resolve) => first.onMessage(resolve))
    await expect(openReader(readerRef, { url: server.baseUrl, WebSocket: Socket }).readAll()).rejects.toMatchObject({ code: 'BUSY' })
    const forged = openWriter({ ...writerRef, access_key: readerRef.access_key }, { url: server.baseUrl, WebSocket: Socket })
    await expect(forged.write('x')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // Expected before the abort, so the rejection has a handler when it comes.
    const aborted = expect(firstRead).rejects.toMatchObject({ code: 'ABORTED', message: 'test over' })
    await writer.abort('test over')
    await aborted
  })
})

describe('the reference app', () => {
  test("export returns a reader's ref to the room's history, which a Node reader downloads as JSON lines", { timeout: 30_000 }, async () => {
    const base = inject('baseUrl')
    const room = randomRoom('export')
    const { client } = await TestClient.connect(wsUrl(base, `/chat/${room}?name=ada`))
    for (const text of ['one', 'two', 'three']) await client.call('send', { text })
    const ref = await client.call<StreamRef>('export', {})
    await client.close()
    expect(ref.direction).toBe('read')
    const reader = openReader(ref, { url: base, WebSocket: Socket })
    const headers: string[] = []
    reader.onMessage((m) => headers.push(m))
    const lines = new TextDecoder().decode(await reader.readAll()).trim().split('\n').map((line) => JSON.parse(line))
    expect(JSON.parse(headers[0]!)).toEqual({ format: 'jsonl', room, messages: 3 })
    expect(lines.map((m) => [m.author, m.text])).toEqual([
      ['ada', 'one'],
      ['ada', 'two'],
      ['ada', 'three'],
    ])
  })
})
