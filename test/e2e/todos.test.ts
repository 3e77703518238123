import WebSocket from 'ws'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { ChannelClientError } from '../../src/client/client-error'
import type { todosChannel } from '../../worker/todos.channel'
import { randomRoom, wsUrl } from './support/client'

// The reference app's live todo list on the shared wrangler dev, through the typed client:
// create / list / complete, `todos:updated` events to everyone on the list, and the
// channel middleware that stamps `sentAt` on everything sent.

const baseUrl = inject('baseUrl')
const clients: ChannelClient<typeof todosChannel>[] = []
const open = (list: string) => {
  const client = createClient<typeof todosChannel>(wsUrl(baseUrl, `/todos/${list}`), { WebSocket: WebSocket as never, keepaliveMs: false })
  clients.push(client)
  return client
}

afterAll(() => {
  for (const client of clients) client.close()
})

describe('the todo list', () => {
  it('creates, lists and completes, and everyone on the list hears of it', async () => {
    const list = randomRoom('todos')
    const alice = open(list)
    const bob = open(list)
    const heard: { kind: string; title: string }[] = []
    await bob.subscribe('todos:updated', (update) => heard.push({ kind: update.kind, title: update.todo.title })).ready
    const milk = await alice.send('create', { title: 'milk' })
    expect(milk).toMatchObject({ title: 'milk', done: false })
    await alice.send('create', { title: 'bread' })
    expect(await alice.send('complete', { id: milk.id })).toMatchObject({ id: milk.id, done: true })
    expect((await bob.send('list')).todos.map((t) => `${t.title}:${t.done}`)).toStrictEqual(['milk:true', 'bread:false'])
    await expect.poll(() => heard.map((h) => `${h.kind} ${h.title}`)).toStrictEqual(['created milk', 'created bread', 'completed milk'])

    const error = await alice.send('complete', { id: 9_999 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ChannelClientError)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: 'There is no todo #9999 on this list' })
    // Another list is another instance: it has none of these.
    expect((await open(randomRoom('todos')).send('list')).todos).toStrictEqual([])
  })

  it('stamps sentAt on replies and events (the channel middleware)', async () => {
    const list = randomRoom('stamp')
    const socket = new WebSocket(wsUrl(baseUrl, `/todos/${list}`))
    const frames: Record<string, unknown>[] = []
    socket.on('message', (raw) => frames.push(JSON.parse(raw.toString())))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ action: '$subscribe', id: 's', data: { topic: 'todos:updated' } }))
    socket.send(JSON.stringify({ action: 'create', id: 'c', data: { title: 'stamp me' } }))
    await expect.poll(() => frames.filter((f) => f.type === 'reply' || f.type === 'event').length).toBeGreaterThanOrEqual(3)
    const before = Date.now()
    for (const frame of frames.filter((f) => f.type === 'event' || (f.type === 'reply' && f.action === 'create'))) {
      expect(frame.sentAt).toBeTypeOf('number')
      expect(frame.sentAt as number).toBeLessThanOrEqual(before)
    }
    socket.close()
  })
})
