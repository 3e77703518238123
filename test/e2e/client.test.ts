import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { ChannelClientError } from '../../src/client/client-error'
import type { ConnectionState } from '../../src/client/types'
import { DevServer, sleep } from './support/dev-server'
import { randomRoom, wsUrl } from './support/client'

// The typed client against its own `wrangler dev`, which these tests pause, kill and restart.

interface ChatMessage {
  id: number
  author: string
  text: string
  at: number
}

const server = new DevServer()
const clients: ChannelClient[] = []

beforeAll(() => server.start(), 60_000)
afterAll(async () => {
  for (const client of clients) client.close()
  server.resume()
  await server.dispose()
})

function connect(room: string, name: string): ChannelClient {
  const client = createClient(wsUrl(server.baseUrl, `/chat/${room}?name=${name}`), {
    WebSocket: WebSocket as never,
    timeoutMs: 5_000,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
  })
  clients.push(client)
  return client
}

describe('the typed client over wrangler dev', () => {
  test('concurrent sends resolve to their own results', async () => {
    const client = connect(randomRoom('concurrent'), 'ada')
    await client.ready()
    const texts = Array.from({ length: 30 }, (_, i) => `message ${i}`)
    const results = (await Promise.all(texts.map((text) => client.send('send', { text })))) as ChatMessage[]
    expect(results.map((m) => m.text)).toEqual(texts)
    expect(new Set(results.map((m) => m.id)).size).toBe(30)
  })

  test('an error arrives as a ChannelClientError with the protocol code and issues', async () => {
    const client = connect(randomRoom('errors'), 'ada')
    const failure = await client.send('send', { text: 42 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ChannelClientError)
    expect(failure).toMatchObject({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ path: ['text'] })], details: { action: 'send' } })
    const unknown = await client.send('shout' as never).catch((error: ChannelClientError) => error.code)
    expect(unknown).toBe('UNKNOWN_ACTION')
  })

  test('a request with no answer in time rejects with TIMEOUT, and the client recovers', async () => {
    const client = connect(randomRoom('timeout'), 'ada')
    await client.ready()
    server.pause()
    try {
      const started = Date.now()
      const failure = (await client.send('history', {}, { timeoutMs: 400 }).catch((error: unknown) => error)) as ChannelClientError
      expect(failure.code).toBe('TIMEOUT')
      expect(Date.now() - started).toBeGreaterThanOrEqual(390)
    } finally {
      server.resume()
    }
    expect(await client.send('history', {})).toEqual({ messages: [] })
  })

  test('an aborted request rejects with ABORTED', async () => {
    const client = connect(randomRoom('abort'), 'ada')
    const controller = new AbortController()
    const pending = client.send('history', {}, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' })
  })
})

describe('surviving a server restart', () => {
  test('a subscriber gets every event exactly once, in order, while publishing goes on around the restart', async () => {
    const room = randomRoom('restart')
    // The listener cannot get back in until the gate opens, so what is published meanwhile must come by replay.
    const gate = { open: true }
    class GatedWebSocket extends WebSocket {
      constructor(url: string) {
        super(gate.open ? url : 'ws://127.0.0.1:9/closed-gate')
      }
    }
    const listener = createClient(wsUrl(server.baseUrl, `/chat/${room}?name=listener`), {
      WebSocket: GatedWebSocket as never,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    })
    clients.push(listener)
    const states: ConnectionState[] = []
    listener.onStateChange((state) => states.push(state))
    const received: string[] = []
    const resyncs: number[] = []
    const subscription = listener.subscribe('chat:message' as never, (message: ChatMessage) => received.push(message.text), { onResync: () => resyncs.push(Date.now()) })
    await subscription.ready

    const speaker = connect(room, 'speaker')
    const said: string[] = []
    const say = async (text: string) => {
      await speaker.send('send', { text })
      said.push(text)
    }
    for (const text of ['one', 'two', 'three']) await say(text)
    await waitUntil(() => received.length === 3)

    // Kill the server outright, as a crash or a deploy would, and bring it back on the same port and storage.
    gate.open = false
    await server.stop('SIGKILL')
    await waitUntil(() => listener.state === 'connecting' && speaker.state === 'connecting')
    await server.start()

    // The speaker comes back and publishes while the listener is still kept out.
    await speaker.ready()
    for (const text of ['four', 'five', 'six']) await say(text)
    expect(listener.state).toBe('connecting')
    expect(received).toEqual(['one', 'two', 'three'])
    gate.open = true
    await listener.ready()
    for (const text of ['seven', 'eight']) await say(text)

    await waitUntil(() => received.length >= said.length)
    await sleep(300) // room for any duplicate to show up
    expect(received).toEqual(said)
    expect(resyncs).toEqual([])
    expect(states).toEqual(expect.arrayContaining(['open', 'connecting']))
    expect(states.at(-1)).toBe('open')
  }, 90_000)
})

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await sleep(25)
  }
}
