import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { publisher, PublishError } from '../../src/index'
import { newsChannel } from './fixture/news.channel'
import { TestSocket } from './support/test-socket'

// Server code asks an instance's clients to move (before planned maintenance): every
// socket of that instance, and only of it, closes with 4503 and the retry hint.

const room = () => `move-${crypto.randomUUID().slice(0, 8)}`

describe('publisher(env).move', () => {
  it("closes every client of one instance with 4503 and retryAfterMs, and leaves other instances' alone", async () => {
    const r = room()
    const sockets = await Promise.all([1, 2, 3].map(() => TestSocket.join(`/news/${r}`)))
    const bystander = await TestSocket.join(`/news/${room()}`)
    const channels = publisher(env as unknown as Record<string, unknown>)
    expect(await channels.move(newsChannel, { room: r }, { retryAfterMs: 2_000, reason: 'maintenance at 02:00' })).toStrictEqual({ moved: 3 })
    for (const { socket } of sockets) expect(await socket.closeInfo()).toMatchObject({ code: 4503, reason: 'retryAfterMs=2000; maintenance at 02:00' })
    bystander.socket.send({ action: '$ping', id: 'still here' })
    expect(await bystander.socket.next()).toStrictEqual({ type: 'pong', id: 'still here' })
    // The instance takes new connections at once: moving is a request to the clients, not a lock.
    const back = await TestSocket.join(`/news/${r}`)
    expect(back.welcome.type).toBe('welcome')
    expect(await channels.move(newsChannel, { room: room() })).toStrictEqual({ moved: 0 })
  })

  it('refuses a retryAfterMs that is not a duration', async () => {
    const channels = publisher(env as unknown as Record<string, unknown>)
    for (const retryAfterMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(channels.move(newsChannel, { room: room() }, { retryAfterMs })).rejects.toBeInstanceOf(PublishError)
    }
  })
})
