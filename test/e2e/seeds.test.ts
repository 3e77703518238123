import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { PikkuWebSocket } from '../../src/client/index'
import { DevServer } from './support/dev-server'

// Seed 001 end to end: its pub/sub server and its generated-client code, as
// written (imports aside), over a real `wrangler dev` and the `ws` package.
const server = new DevServer({ config: 'test/seeds/001-pubsub/wrangler.toml' })
const opened: PikkuWebSocket[] = []

beforeAll(() => server.start(), 60_000)
afterAll(async () => {
  for (const pikku of opened) pikku.close()
  await server.dispose()
})

const url = (path: string) => `${server.baseUrl.replace('http', 'ws')}${path}`

describe('seed 001 end to end: the pub/sub server and the generated client', () => {
  it("runs the seed's client code: send resolves to the result, subscribe gets the updates", async () => {
    const ws = new WebSocket(url('/todos?token=valid:ada'))

    // Seed 001, "Generated WebSocket Client", as written:
    const pikku = new PikkuWebSocket(ws)
    const todosRoute = pikku.getRoute('todos')

    // Send action (type-safe)
    const result = await todosRoute.send('create', { text: 'Buy milk' })

    // Subscribe to events
    const updates: unknown[] = []
    todosRoute.subscribe('todos:updated', (data) => {
      console.log(data.event, data.todo)
      updates.push(data)
    })
    opened.push(pikku)

    expect(result).toEqual({ todo: { id: expect.any(Number), text: 'Buy milk', done: false } })
    await pikku.client.ready()
    const second = (await todosRoute.send('create', { text: 'Bread' })) as { todo: unknown }
    await expect.poll(() => updates, { timeout: 5_000 }).toContainEqual({ event: 'created', todo: second.todo })
  })

  it('delivers to a plain watcher as message frames (the callback form), and the channel with no route is at /todos', async () => {
    const watcher = new WebSocket(url('/todos'))
    const frames: unknown[] = []
    watcher.on('message', (data) => frames.push(JSON.parse(String(data))))
    await new Promise((resolve) => watcher.once('open', resolve))
    const pikku = new PikkuWebSocket(new WebSocket(url('/todos?token=valid:grace')))
    opened.push(pikku)
    const { todo } = (await pikku.getRoute('todos').send('create', { text: 'Eggs' })) as { todo: unknown }
    await expect.poll(() => frames, { timeout: 5_000 }).toContainEqual({ type: 'message', data: { event: 'created', todo } })
    expect(frames[0]).toMatchObject({ type: 'welcome' })
    watcher.close()
  })
})

describe("seed 001 end to end: Pikku's publish(topic, channelId | null, data)", () => {
  it('skips the sender it names, and nobody for null', async () => {
    const sender = new PikkuWebSocket(new WebSocket(url('/pikku-publish')))
    const other = new PikkuWebSocket(new WebSocket(url('/pikku-publish')))
    opened.push(sender, other)
    const heard: { who: string; data: unknown }[] = []
    sender.client.subscribe('notes', (data) => heard.push({ who: 'sender', data }))
    other.client.subscribe('notes', (data) => heard.push({ who: 'other', data }))
    await Promise.all([sender.client.ready(), other.client.ready()])
    await sender.getRoute('pikku-publish').send('note', { text: 'quiet' })
    await sender.getRoute('pikku-publish').send('shout', { text: 'loud' })
    await expect.poll(() => heard.length, { timeout: 5_000 }).toBe(3)
    // The connections are subscribed by onConnect and by $subscribe: the same subscription, delivered once.
    expect(heard.filter((h) => (h.data as { text: string }).text === 'quiet')).toStrictEqual([{ who: 'other', data: { text: 'quiet' } }])
    expect(heard.filter((h) => (h.data as { text: string }).text === 'loud').map((h) => h.who).sort()).toStrictEqual(['other', 'sender'])
  })
})

describe('seed 001 end to end: the complete chat example', () => {
  const chatServer = new DevServer({ config: 'test/seeds/001-chat/wrangler.toml' })
  beforeAll(() => chatServer.start(), 60_000)
  afterAll(() => chatServer.dispose())

  it('authenticates into the wire, sends as that user, and every connection gets the message', async () => {
    const chatUrl = `${chatServer.baseUrl.replace('http', 'ws')}/chat`
    const ada = new PikkuWebSocket(new WebSocket(chatUrl))
    const grace = new PikkuWebSocket(new WebSocket(chatUrl))
    opened.push(ada, grace)
    const received: unknown[] = []
    grace.client.onMessage((data) => received.push(data))
    const chat = ada.getRoute('chat')
    await expect(chat.send('send', { text: 'too early' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(await chat.send('auth', { token: 'valid:ada' })).toEqual({ success: true })
    await grace.client.ready()
    const { message } = (await chat.send('send', { text: 'hello' })) as { message: { userId: string } }
    expect(message).toMatchObject({ text: 'hello', userId: 'ada' })
    await expect.poll(() => received, { timeout: 5_000 }).toContainEqual({ message })
    expect((await grace.getRoute('chat').send('history', { limit: 5 })) as { messages: unknown[] }).toMatchObject({ messages: expect.arrayContaining([message]) })
  })
})
