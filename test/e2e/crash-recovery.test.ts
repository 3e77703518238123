import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DevServer, sleep } from './support/dev-server'
import { randomRoom, TestClient, wsUrl } from './support/client'

// A real crash: `kill -9` of wrangler dev while five subscribed clients post, then a
// restart on the same state. The connections that died with the process must each
// get onDisconnect exactly once (counted in the room's SQLite by the fault worker,
// test/faults/worker/worker.ts) and lose their stored subscriptions, on the first
// event after the restart; a second crash must not run them again.

type Lifecycle = {
  connections: { channel_id: string; connects: number; disconnects: number }[]
  subscriptions: { channel_id: string; topics: number }[]
}

const CLIENTS = 5

describe('after kill -9 of wrangler dev', () => {
  const server = new DevServer({ config: 'test/faults/worker/wrangler.toml' })
  const room = randomRoom('crash')
  const url = () => wsUrl(server.baseUrl, `/feed/${room}`)

  beforeAll(() => server.start(), 60_000)
  afterAll(() => server.dispose(), 30_000)

  async function lifecycle(): Promise<{ probe: TestClient; state: Lifecycle }> {
    const { client: probe } = await TestClient.connect(url(), 15_000)
    return { probe, state: await probe.call<Lifecycle>('lifecycle') }
  }

  it('runs onDisconnect once for each connection that died with the process, and releases its subscriptions', { timeout: 150_000 }, async () => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => TestClient.connect(url())))
    const dead = clients.map(({ welcome }) => String(welcome.channelId))
    expect(dead.every((id) => id.length > 0)).toBe(true)
    for (const { client } of clients) await client.call('$subscribe', { topic: 'feed:items' })

    // Under traffic: every client posts as fast as its answers come, until the kill.
    let posting = true
    const traffic = clients.map(async ({ client }, index) => {
      for (let n = 0; posting; n++) {
        try {
          await client.request('post', { client: `c${index}`, n }, undefined, 2_000)
        } catch {
          return n
        }
      }
    })
    await sleep(1_500)
    const before = await lifecycle()
    expect(before.state.subscriptions.map((row) => row.channel_id).sort()).toEqual([...dead].sort())
    await before.probe.close()

    await server.stop('SIGKILL')
    posting = false
    await Promise.all(traffic)
    await Promise.all(clients.map(({ client }) => client.closed))

    await server.start()
    const after = await lifecycle()
    const rows = new Map(after.state.connections.map((row) => [row.channel_id, row]))
    for (const id of dead) expect(rows.get(id), `connection ${id}`).toMatchObject({ connects: 1, disconnects: 1 })
    expect(after.state.subscriptions).toEqual([])

    // A second crash: the first run's connections stay disconnected once; the probe that was open now gets its one.
    const probeId = after.state.connections.find((row) => row.disconnects === 0)?.channel_id
    expect(probeId).toBeDefined()
    await server.stop('SIGKILL')
    await after.probe.closed
    await server.start()
    const again = await lifecycle()
    const rowsAgain = new Map(again.state.connections.map((row) => [row.channel_id, row]))
    for (const id of [...dead, probeId!]) expect(rowsAgain.get(id), `connection ${id}`).toMatchObject({ connects: 1, disconnects: 1 })
    await again.probe.close()
  })
})
