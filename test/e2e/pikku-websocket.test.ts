import { afterEach, describe, expect, inject, test } from 'vitest'
import WebSocket from 'ws'
import { ChannelClientError } from '../../src/client/client-error'
import { PikkuWebSocket as Base } from '../../src/client/index'
import { randomRoom, sleep, wsUrl } from './support/client'

// Seed 001's client shape, `new PikkuWebSocket(new WebSocket(url))` with the `ws`
// package, against the reference chat app under the shared `wrangler dev`.

const baseUrl = inject('baseUrl')

interface ChatMessage {
  id: number
  author: string
  text: string
  at: number
}

// The chat channel as a generator would emit it from the channel's JSON Schema
// (the wiring itself cannot be imported here: its functions are typed by the
// reference app's own service registry).
type ChannelsMap = {
  chat: {
    actions: {
      send: { input: { text: string }; output: ChatMessage }
      history: { input: { limit?: number }; output: { messages: ChatMessage[] } }
    }
    topics: { 'chat:message': ChatMessage; 'chat:announcement': unknown }
  }
}

class PikkuWebSocket extends Base<ChannelsMap> {}

const ROUTES = { chat: '/chat/:room' }
const opened: { close(): void }[] = []

afterEach(() => {
  for (const pikku of opened.splice(0)) pikku.close()
})

function chatUrl(room: string, name: string): string {
  return wsUrl(baseUrl, `/chat/${room}?name=${name}`)
}

function adopt(ws: WebSocket): PikkuWebSocket {
  const pikku = new PikkuWebSocket(ws, { timeoutMs: 5_000, routes: ROUTES, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } })
  opened.push(pikku)
  return pikku
}

describe('new PikkuWebSocket(new WebSocket(url)) over wrangler dev', () => {
  test('send resolves with the typed result, and a refused input rejects with a ChannelClientError', async () => {
    const room = randomRoom('pikkuws-send')
    const pikku = adopt(new WebSocket(chatUrl(room, 'ada')))
    const chat = pikku.getRoute('chat')
    const message = await chat.send('send', { text: 'Buy milk' })
    expect(message).toEqual({ id: expect.any(Number), author: 'ada', text: 'Buy milk', at: expect.any(Number) })
    expect(await pikku.ready()).toEqual({ room, name: 'ada' })
    const { messages } = await chat.send('history')
    expect(messages).toEqual([message])

    const failure = await chat.send('send', { text: '   ' }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ChannelClientError)
    expect(failure).toMatchObject({ code: 'INVALID_INPUT', details: { action: 'send' }, issues: [expect.objectContaining({ path: ['text'] })] })
  })

  test('subscribe receives what another connection publishes; unsubscribe stops it', async () => {
    const room = randomRoom('pikkuws-subscribe')
    const listener = adopt(new WebSocket(chatUrl(room, 'listener'))).getRoute('chat')
    const received: string[] = []
    const onMessage = (message: ChatMessage) => received.push(`${message.author}: ${message.text}`)
    await listener.subscribe('chat:message', onMessage).ready
    const speaker = adopt(new WebSocket(chatUrl(room, 'speaker'))).getRoute('chat')
    await speaker.send('send', { text: 'one' })
    await speaker.send('send', { text: 'two' })
    await waitUntil(() => received.length === 2)
    expect(received).toEqual(['speaker: one', 'speaker: two'])
    listener.unsubscribe('chat:message', onMessage)
    await speaker.send('send', { text: 'three' })
    await sleep(300)
    expect(received).toHaveLength(2)
  })

  test('adopts a socket that is already open, its welcome long gone: the probe opens it and sends go through', async () => {
    const room = randomRoom('pikkuws-open')
    const ws = new WebSocket(chatUrl(room, 'late'))
    // The app read the welcome itself before handing the socket over: the client never sees it.
    const welcome = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)))
      ws.once('error', reject)
    })
    expect(JSON.parse(welcome)).toMatchObject({ type: 'welcome', data: { room, name: 'late' } })
    expect(ws.readyState).toBe(WebSocket.OPEN)
    const pikku = adopt(ws)
    const chat = pikku.getRoute('chat')
    expect(await pikku.ready()).toBeUndefined()
    expect(pikku.state).toBe('open')
    expect(await chat.send('send', { text: 'made it' })).toMatchObject({ author: 'late', text: 'made it' })
  })

  test('after the socket drops, reconnects with the socket’s own class and replays what it missed, once each', async () => {
    const room = randomRoom('pikkuws-drop')
    // The class of the adopted socket is what reconnects use; its gate keeps the client out for a while.
    const gate = { open: true }
    const made: string[] = []
    class GatedWebSocket extends WebSocket {
      constructor(url: string) {
        made.push(url)
        super(gate.open ? url : 'ws://127.0.0.1:9/closed-gate')
      }
    }
    const first = new GatedWebSocket(chatUrl(room, 'listener'))
    const listener = adopt(first)
    const received: string[] = []
    await listener.getRoute('chat').subscribe('chat:message', (message) => received.push(message.text)).ready
    const speaker = adopt(new WebSocket(chatUrl(room, 'speaker'))).getRoute('chat')
    await speaker.send('send', { text: 'before' })
    await waitUntil(() => received.length === 1)

    gate.open = false
    first.terminate() // a dropped connection: 1006, no close handshake
    await waitUntil(() => listener.state === 'connecting' && made.length >= 2)
    await speaker.send('send', { text: 'while away 1' })
    await speaker.send('send', { text: 'while away 2' })
    gate.open = true
    await listener.ready()
    await speaker.send('send', { text: 'after' })
    await waitUntil(() => received.length >= 4)
    await sleep(300) // room for a duplicate to show up
    expect(received).toEqual(['before', 'while away 1', 'while away 2', 'after'])
    // Every reconnect goes to the same address; the client's own sockets carry its one resume token (the adopted first one has none).
    expect(new Set(made.map((url) => url.replace(/[?&]\$resume=[^&]*/, '')))).toEqual(new Set([chatUrl(room, 'listener')]))
    const tokens = made.slice(1).map((url) => new URL(url).searchParams.get('$resume'))
    expect(new URL(made[0]!).searchParams.get('$resume')).toBeNull()
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(await listener.getRoute('chat').send('send', { text: 'still works' })).toMatchObject({ author: 'listener' })
  })

  test('getRoute names only the channel the socket reaches', async () => {
    const pikku = adopt(new WebSocket(chatUrl(randomRoom('pikkuws-route'), 'ada')))
    const wrong = new Base<ChannelsMap & { todos: ChannelsMap['chat'] }>(pikku.client.url, { WebSocket, routes: { ...ROUTES, todos: '/todos' } })
    opened.push(wrong)
    expect(() => wrong.getRoute('todos')).toThrow(/this socket is connected to \/chat\/pikkuws-route-\w+, which is not channel "todos"'s route \/todos/)
    expect(pikku.getRoute('chat')).toBe(pikku.getRoute('chat'))
    await pikku.ready()
  })
})

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await sleep(25)
  }
}
