import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { PublishError, publisher } from '../../src/index'
import { cappedChannel } from './fixture/news.channel'
import { request, TestSocket } from './support/test-socket'

// Publishing from outside may not push what a subscriber's channel would refuse
// to take, and the caller's mistakes are 4xx with a JSON body, never a 500.
const SECRET = 'test-publish-secret-0123456789'
const room = () => `p${crypto.randomUUID().slice(0, 8)}`
const KiB = 1024

const post = (body: string) => request('/_publish', { method: 'POST', body, headers: { Authorization: `Bearer ${SECRET}` } })

async function subscriber(path: string, topic: string) {
  const { socket } = await TestSocket.join(path)
  await socket.call('sub', { topic })
  return socket
}

async function refusal(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string } }) }
}

describe('the publish route', () => {
  it('refuses an event larger than the channel’s maxMessageSize with 413, and pushes nothing', async () => {
    const r = room()
    const socket = await subscriber(`/capped/${r}`, 'feed')
    const answer = await refusal(await post(JSON.stringify({ channel: 'capped', params: { room: r }, topic: 'feed', data: 'x'.repeat(260 * KiB) })))
    expect(answer).toEqual({ status: 413, error: { code: 'TOO_LARGE', message: `An event for "feed" is larger than ${256 * KiB} bytes, the channel's maxMessageSize` } })
    await socket.expectSilence()
    // Under the limit it goes through.
    expect((await post(JSON.stringify({ channel: 'capped', params: { room: r }, topic: 'feed', data: 'x'.repeat(200 * KiB) }))).status).toBe(200)
    expect(await socket.next()).toMatchObject({ type: 'event', topic: 'feed' })
  })

  it('applies the router’s limit to channels without their own', async () => {
    const r = room()
    const socket = await subscriber(`/news/${r}`, 'alerts:big')
    const answer = await refusal(await post(JSON.stringify({ channel: 'news', params: { room: r }, topic: 'alerts:big', data: 'x'.repeat(5000) })))
    expect(answer).toMatchObject({ status: 413, error: { code: 'TOO_LARGE', message: expect.stringContaining('larger than 4096 bytes') } })
    await socket.expectSilence()
  })

  it('refuses a body over its limit with 413 before reading it (20 MiB and 40 MiB)', async () => {
    const r = room()
    const socket = await subscriber(`/capped/${r}`, 'feed')
    for (const size of [20, 40]) {
      const answer = await refusal(await post(JSON.stringify({ channel: 'capped', params: { room: r }, topic: 'feed', data: 'x'.repeat(size * KiB * KiB) })))
      expect(answer).toEqual({ status: 413, error: { code: 'TOO_LARGE', message: `The body is larger than the publish route's limit of ${256 * KiB + 16 * KiB} bytes (publishRoute.maxBodySize)` } })
    }
    await socket.expectSilence()
  })

  it('refuses a body nested 5,000 deep with 400', async () => {
    const r = room()
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const answer = await refusal(await post(`{"channel":"capped","params":{"room":"${r}"},"topic":"feed","data":${deep}}`))
    expect(answer).toEqual({ status: 400, error: { code: 'INVALID_INPUT', message: 'The body nests deeper than 100 levels in data' } })
  })
})

describe('publisher(env)', () => {
  it('refuses an event larger than the channel’s maxMessageSize, to one instance or to all', async () => {
    const r = room()
    const local = await subscriber(`/capped/${r}`, 'feed')
    const wide = await subscriber(`/capped/${room()}`, 'wide')
    const channels = publisher(env as unknown as Record<string, unknown>)
    const big = 'x'.repeat(300 * KiB)
    for (const attempt of [() => channels.publish(cappedChannel, { room: r }, 'feed', big), () => channels.broadcast(cappedChannel, 'wide', big)]) {
      const error = await attempt().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(PublishError)
      expect(error).toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining(`larger than ${256 * KiB} bytes`) })
    }
    await local.expectSilence()
    await wide.expectSilence()
  })

  it('refuses an event nested too deep before the RPC that could not copy it', async () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 10_000; i++) deep = [deep]
    const error = await publisher(env as unknown as Record<string, unknown>)
      .publish(cappedChannel, { room: room() }, 'feed', deep as string)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ name: 'PublishError', code: 'INVALID_INPUT', message: 'An event for "feed" nests deeper than 100 levels' })
  })
})

describe('a handler’s publish', () => {
  it('is not pushed to a connection held to a smaller limit by channels()', async () => {
    // news has no limit of its own: its connections get the router's 4096 bytes.
    const r = room()
    const listener = await subscriber(`/news/${r}`, 'alerts:wide')
    const { socket: speaker } = await TestSocket.join(`/news/${r}`)
    expect((await speaker.call('pubSized', { topic: 'alerts:wide', size: 3000 })).data).toMatchObject({ delivered: 1 })
    expect(await listener.next()).toMatchObject({ topic: 'alerts:wide' })
    expect((await speaker.call('pubSized', { topic: 'alerts:wide', size: 5000 })).type).toBe('reply')
    await listener.expectSilence()
    expect(await listener.call('sub', { topic: 'alerts:wide' })).toMatchObject({ type: 'reply' }) // still connected
  })
})
