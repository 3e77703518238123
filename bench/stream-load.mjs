// The stream load generator: one stream through one target, results as JSON on stdout.
// Run by bench/streams.mjs, pinned to its own core:
//   node bench/stream-load.mjs '{"base":"http://127.0.0.1:8787","client":"<bundled client>","target":"ours","bufferFrames":64,"mib":16}'
// Both ends are in this process: the reader is open first, then the clock starts and the writer
// opens and sends `mib` MiB in 1 MiB writes. Time to first byte and throughput are taken at the
// reader, from the writer's start to the first and the last byte.
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import WebSocket from 'ws'

const job = JSON.parse(process.argv[2])
const MiB = 1024 * 1024
const total = job.mib * MiB
const FRAME = 64 * 1024

/** `ws` without compression (the targets do not negotiate it either way; this keeps the bytes raw). */
class Socket extends WebSocket {
  constructor(url) {
    super(url, { perMessageDeflate: false })
  }
}

const payload = new Uint8Array(MiB).map((_, i) => i % 251)

let acks = 0

async function ours() {
  const { openReader, openWriter } = await import(pathToFileURL(job.client).href)
  const response = await fetch(`${job.base}/streams?bufferFrames=${job.bufferFrames}`, { method: 'POST' })
  const { writerRef, readerRef } = await response.json()
  let opened
  const readerOpen = new Promise((resolve) => (opened = resolve))
  // Counts the reader's acks: each is one more event (and storage write) for the broker.
  class ReaderSocket extends Socket {
    constructor(url) {
      super(url)
      this.addEventListener('open', opened)
    }
    send(data) {
      acks++
      super.send(data)
    }
  }
  const reader = openReader(readerRef, { url: job.base, WebSocket: ReaderSocket })
  const iterator = reader[Symbol.asyncIterator]()
  const first = iterator.next()
  await readerOpen
  const start = performance.now()
  const writer = openWriter(writerRef, { url: job.base, WebSocket: Socket })
  const writing = (async () => {
    for (let sent = 0; sent < total; sent += MiB) await writer.write(payload)
    await writer.close()
  })()
  let received = 0
  let firstAt
  for (let next = await first; !next.done; next = await iterator.next()) {
    firstAt ??= performance.now()
    received += next.value.byteLength
    if (received === total) break
  }
  const lastAt = performance.now()
  await writing
  return { start, firstAt, lastAt, received }
}

async function raw() {
  const id = Math.random().toString(36).slice(2)
  const url = `${job.base.replace('http', 'ws')}/relay/${id}`
  const reader = new Socket(`${url}?dir=read`)
  reader.binaryType = 'arraybuffer'
  await new Promise((resolve, reject) => {
    reader.once('open', resolve)
    reader.once('error', reject)
  })
  let received = 0
  let firstAt
  let lastAt
  const done = new Promise((resolve) =>
    reader.on('message', (data) => {
      firstAt ??= performance.now()
      received += data.byteLength
      if (received === total) {
        lastAt = performance.now()
        resolve()
      }
    }),
  )
  const start = performance.now()
  const writer = new Socket(`${url}?dir=write${job.target === 'raw+store' ? '&store=1' : ''}`)
  writer.once('open', () => {
    for (let sent = 0; sent < total; sent += MiB) for (let offset = 0; offset < MiB; offset += FRAME) writer.send(payload.subarray(offset, offset + FRAME))
    writer.close(1000)
  })
  await done
  reader.close()
  return { start, firstAt, lastAt, received }
}

const { start, firstAt, lastAt, received } = await (job.target === 'ours' ? ours() : raw())
if (received !== total) throw new Error(`received ${received} of ${total} bytes`)
const frames = total / FRAME
process.stdout.write(JSON.stringify({ mibPerSecond: job.mib / ((lastAt - start) / 1000), ttfbMs: firstAt - start, ...(job.target === 'ours' ? { acksPerFrame: acks / frames } : {}) }))
process.exit(0)
