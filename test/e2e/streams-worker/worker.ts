// The Worker the streams e2e test drives: POST /streams makes a stream and answers
// both refs; POST /fill?mib=N makes one and fills it from this fetch handler
// (waitUntil, or before answering with ?late), answering the reader's ref and the
// SHA-256 of what it writes.
import { ChannelObject, channels, createStreamChannel, pikkuSessionlessFunc, wireChannel } from '../../../src/index'

export { ChannelObject }

// channels() serves wired channels; streams come with it.
wireChannel({ name: 'ping', route: '/ping', auth: false, onMessageWiring: { ping: { func: pikkuSessionlessFunc(async () => 'pong') } } })

const MiB = 1024 * 1024
const app = channels()

app.post('/streams', async (c) => {
  const { writerRef, readerRef } = await createStreamChannel(c.env, { bufferFrames: Number(c.req.query('bufferFrames') ?? 64) })
  return c.json({ writerRef, readerRef })
})

app.post('/fill', async (c) => {
  const mib = Number(c.req.query('mib') ?? 10)
  const data = new Uint8Array(Math.round(mib * MiB))
  const { writer, readerRef } = await createStreamChannel(c.env)
  // Deterministic bytes: the test recomputes the hash from what it reads, and compares.
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24
  const sha256 = hex(await crypto.subtle.digest('SHA-256', data))
  const writing = (async () => {
    for (let part = 0; part * MiB < data.length; part++) {
      await writer.sendMessage(`part ${part}`)
      await writer.write(data.subarray(part * MiB, (part + 1) * MiB))
    }
    await writer.close()
  })()
  // ?late: answer once the writer has ended (what fits the buffer), so the reader comes late.
  if (c.req.query('late') !== undefined) await writing
  else c.executionCtx.waitUntil(writing)
  return c.json({ readerRef, sha256 })
})

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export default app
