import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createStreamChannel, openStreamReader } from '../../src/index'
import { TestSocket } from './support/test-socket'

describe('streams from channel handlers', () => {
  it("an action returns a reader's ref, and the stream it names is written after the reply", async () => {
    const { socket } = await TestSocket.join(`/stream-lab/r${crypto.randomUUID().slice(0, 8)}`)
    const reply = await socket.call('export', { lines: 50 })
    expect(Object.keys(reply.data).sort()).toEqual(['access_key', 'channel_id', 'direction'])
    const text = new TextDecoder().decode(await openStreamReader(env, reply.data).readAll())
    expect(text.split('\n').filter(Boolean)).toEqual(Array.from({ length: 50 }, (_, n) => `line ${n}`))
  })

  it('an action reads the stream a ref in its input names; a broken ref is INVALID_INPUT', async () => {
    const { writer, readerRef } = await createStreamChannel(env)
    const writing = (async () => {
      for (let n = 0; n < 10; n++) await writer.write(`row ${n}\n`)
      await writer.close()
    })()
    const { socket } = await TestSocket.join(`/stream-lab/r${crypto.randomUUID().slice(0, 8)}`)
    expect((await socket.call('count', { source: readerRef })).data).toEqual({ lines: 10, last: 'row 9' })
    await writing
    const broken = await socket.call('count', { source: { ...readerRef, direction: 'sideways' } })
    expect(broken.error.code).toBe('INVALID_INPUT')
  })
})
