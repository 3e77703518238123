import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, request, TestSocket } from './support/test-socket'

// Retries that never run twice, on the real object: the answer is kept in its SQLite
// by (resume token, request id), so a retry from the next connection, after an
// eviction, gets the first answer and the handler does not run again.

const room = () => `retry-${crypto.randomUUID().slice(0, 8)}`
const runsIn = (path: string) =>
  runInDurableObject(instance('lab', path), (_object, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM lifecycle WHERE kind = 'run'").one().n)

describe('retries with a $resume token', () => {
  it('answer a retry after an eviction with the first answer, without running it again', async () => {
    const path = `/lab/${room()}`
    const token = crypto.randomUUID()
    const first = await TestSocket.join(`${path}?$resume=${token}`)
    expect(first.welcome).toMatchObject({ type: 'welcome', retryWindowMs: 120_000 })
    // $resume is not opening data.
    expect((await first.socket.call('whoami')).data.openingData).toStrictEqual({ room: path.slice(5) })
    expect(await first.socket.call('order', undefined, 'r1')).toMatchObject({ type: 'reply', id: 'r1', data: { order: 1 } })
    first.socket.ws.close(1000)
    await evictDurableObject(instance('lab', path))

    const again = await TestSocket.join(`${path}?$resume=${token}`)
    expect(await again.socket.call('order', undefined, 'r1')).toMatchObject({ type: 'reply', id: 'r1', data: { order: 1 } })
    expect(await runsIn(path)).toBe(1)
    // A new id runs; the same id from a connection without the token runs too.
    expect(await again.socket.call('order', undefined, 'r2')).toMatchObject({ data: { order: 2 } })
    const plain = await TestSocket.join(path)
    expect(plain.welcome).not.toHaveProperty('retryWindowMs')
    expect(await plain.socket.call('order', undefined, 'r1')).toMatchObject({ data: { order: 3 } })
    expect(await runsIn(path)).toBe(3)
  })

  it('refuse a malformed token before the upgrade with 400', async () => {
    for (const bad of ['short', 'x'.repeat(65), 'has spaces in it!!!!']) {
      const response = await request(`/lab/${room()}?$resume=${encodeURIComponent(bad)}`, { headers: { Upgrade: 'websocket' } })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('$resume') } })
    }
  })
})
