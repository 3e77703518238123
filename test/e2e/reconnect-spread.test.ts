import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { DevServer, sleep } from './support/dev-server'
import { randomRoom } from './support/client'

// A room's 200 clients asked to move at once (close 4503 with retryAfterMs, as before planned
// maintenance, and as a deploy's 1001/1012 would): they come back spread over the typed
// client's restartSpreadMs after the hint, not in one burst, and each resubscribes with
// `since`: every post published meanwhile arrives exactly once, in order.

const CLIENTS = 200
const HINT_MS = 500
const SPREAD_MS = 2_000

describe('200 clients of one room closed at once', () => {
  const server = new DevServer({ config: 'test/faults/worker/wrangler.toml' })
  const clients: ChannelClient[] = []

  beforeAll(() => server.start(), 60_000)
  afterAll(async () => {
    for (const client of clients) client.close()
    await server.dispose()
  }, 30_000)

  it('reconnect spread over the window after the hint, and miss nothing', { timeout: 120_000 }, async () => {
    const room = randomRoom('spread')
    const url = `${server.baseUrl.replace('http', 'ws')}/feed/${room}`
    const open = () => {
      const client = createClient(url, { WebSocket: WebSocket as never, keepaliveMs: false, restartSpreadMs: SPREAD_MS })
      clients.push(client)
      return client
    }
    const received: number[][] = []
    const reopenedAt: (number | undefined)[] = []
    const subscribers = Array.from({ length: CLIENTS }, (_, i) => {
      const client = open()
      received[i] = []
      client.subscribe('feed:items', (data) => received[i]!.push((data as { n: number }).n))
      return client
    })
    await Promise.all(subscribers.map((client) => client.ready()))
    const publisherClient = open()
    await publisherClient.ready()

    let posting = true
    const acked: number[] = []
    const posts = (async () => {
      for (let n = 1; posting; n++) {
        await publisherClient.send('post', { client: 'p', n }).then(() => acked.push(n), () => undefined)
        await sleep(50)
      }
    })()
    await sleep(500)

    let movedAt = 0
    subscribers.forEach((client, i) =>
      client.onStateChange((state) => {
        if (state === 'open' && movedAt && reopenedAt[i] === undefined) reopenedAt[i] = Date.now() - movedAt
      }),
    )
    movedAt = Date.now()
    const response = await fetch(`${server.baseUrl}/move/${room}?retryAfterMs=${HINT_MS}`, { method: 'POST' })
    expect(await response.json()).toStrictEqual({ moved: CLIENTS + 1 })

    const deadline = Date.now() + HINT_MS + SPREAD_MS + 15_000
    while (reopenedAt.filter((t) => t !== undefined).length < CLIENTS && Date.now() < deadline) await sleep(50)
    // Posts go on until there are enough to judge by: on a loaded machine a fan-out to 200 takes a while.
    const enough = Date.now() + 30_000
    await sleep(500)
    while (acked.length <= 20 && Date.now() < enough) await sleep(50)
    posting = false
    await posts

    const times = reopenedAt.filter((t): t is number => t !== undefined).sort((a, b) => a - b)
    const bucket = 250
    const histogram = Array.from({ length: Math.ceil((HINT_MS + SPREAD_MS + 1_000) / bucket) }, (_, k) => times.filter((t) => t >= k * bucket && t < (k + 1) * bucket).length)
    console.log(`reconnects of ${CLIENTS} clients moved at t=0 with retryAfterMs=${HINT_MS}, restartSpreadMs=${SPREAD_MS}, per ${bucket} ms: ${histogram.join(' ')} (first ${times[0]} ms, median ${times[CLIENTS / 2]} ms, last ${times.at(-1)} ms)`)
    expect(times).toHaveLength(CLIENTS)
    expect(times[0]!).toBeGreaterThanOrEqual(HINT_MS)
    // Spread, not a burst: no quarter second holds more than a quarter of the room.
    expect(Math.max(...histogram)).toBeLessThan(CLIENTS / 4)
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(SPREAD_MS / 2)

    // Let the last events land, then: each subscriber has every acknowledged post exactly once, in order.
    await sleep(1_000)
    expect(acked.length).toBeGreaterThan(20)
    for (const [i, got] of received.entries()) {
      const missing = acked.filter((n) => !got.includes(n))
      expect(missing, `subscriber ${i} missed`).toStrictEqual([])
      expect(new Set(got).size, `subscriber ${i} got a duplicate`).toBe(got.length)
      expect([...got].sort((a, b) => a - b), `subscriber ${i} out of order`).toStrictEqual(got)
    }
  })
})
