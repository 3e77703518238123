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
