import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { ChannelClientError } from '../../src/client/client-error'
import type { ConnectionState } from '../../src/client/types'
import { DevServer } from './support/dev-server'
import { wsUrl } from './support/client'

// A refused handshake over a real `wrangler dev`: seed 001's pub/sub Worker, whose
// authenticate refuses `?token=forged` with 401. The `ws` socket only sees 1006
// (as a browser would); the client's probe learns the 401 and stops.
const server = new DevServer({ config: 'test/seeds/001-pubsub/wrangler.toml' })
const clients: ChannelClient[] = []

beforeAll(() => server.start(), 60_000)
afterAll(async () => {
  for (const client of clients) client.close()
  await server.dispose()
})

/** A `ws` class that counts the sockets a client opens. */
function countingWebSocket() {
  const opened: string[] = []
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url)
      opened.push(url)
    }
  }
  return { WebSocket: Counting as never, opened }
}

function connect(path: string) {
  const counting = countingWebSocket()
  const client = createClient(wsUrl(server.baseUrl, path), { WebSocket: counting.WebSocket, timeoutMs: 5_000, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } })
  clients.push(client)
  const states: ConnectionState[] = []
  client.onStateChange((state) => states.push(state))
  return { client, states, opened: counting.opened }
}

describe('a handshake the server refuses', () => {
  it('ends with UNAUTHENTICATED instead of retrying forever', async () => {
    const { client, states, opened } = connect('/todos?token=forged')
    const pending = client.send('create' as never, { text: 'never sent' } as never).catch((error: unknown) => error)
    const failure = await client.ready().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ChannelClientError)
    expect(failure).toMatchObject({ code: 'UNAUTHENTICATED', message: 'The server refused the connection (401 UNAUTHENTICATED): That token does not verify', details: { status: 401 } })
    expect(await pending).toBe(failure)
    expect(client.state).toBe('closed')
    expect(client.lastClose?.code).toBe(1006)
    expect(client.lastError).toBe(failure)
    expect(states).toEqual(['closed'])
    // Well past several backoff rounds: still the one attempt.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(opened).toHaveLength(1)
  })

  it('a good token on the same route connects (the probe says 204, the upgrade succeeds)', async () => {
    const probe = await fetch(`${server.baseUrl}/todos?token=valid:ada`, { headers: { 'x-pikku-probe': '1' } })
    expect(probe.status).toBe(204)
    const { client } = connect('/todos?token=valid:ada')
    await client.ready()
    expect(await client.send('create' as never, { text: 'Buy milk' } as never)).toMatchObject({ todo: { text: 'Buy milk' } })
  })

  it('the probe answers a forged token 401 and an unknown path 404, with their JSON bodies', async () => {
    const forged = await fetch(`${server.baseUrl}/todos?token=forged`, { headers: { 'x-pikku-probe': '1' } })
    expect(forged.status).toBe(401)
    expect(await forged.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'That token does not verify' } })
    const nowhere = await fetch(`${server.baseUrl}/nowhere`, { headers: { 'x-pikku-probe': '1' } })
    expect(nowhere.status).toBe(404)
    expect(await nowhere.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No channel is wired at /nowhere' } })
  })

  it('a client for a path no channel is wired at stops with NOT_FOUND', async () => {
    const { client, opened } = connect('/nowhere')
    const failure = await client.ready().catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 'NOT_FOUND', details: { status: 404 } })
    expect(opened).toHaveLength(1)
  })
})
