import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, TestSocket } from '../../workers/support/test-socket'

// Seed 001's basic channel: `todos` wired without a route, create (needs a session) and list (auth: false).
describe('seed 001: basic channel', () => {
  it('is served at /todos, the channel name, since it has no route', async () => {
    const { welcome } = await TestSocket.join('/todos')
    expect(welcome.type).toBe('welcome')
  })

  it('lists without a session (auth: false) and creates only with one', async () => {
    const { socket: guest } = await TestSocket.join('/todos')
    expect((await guest.call('create', { text: 'Buy milk' })).error).toMatchObject({ code: 'UNAUTHENTICATED' })
    const { socket: ada } = await TestSocket.join('/todos?token=valid:ada')
    expect((await ada.call('create', { text: 'Buy milk' })).data).toEqual({ todo: { id: expect.any(Number), text: 'Buy milk', done: false } })
    expect((await guest.call('list')).data.todos).toContainEqual({ id: expect.any(Number), text: 'Buy milk', done: false })
  })

  it('keeps the todos and the session across eviction', async () => {
    const { socket } = await TestSocket.join('/todos?token=valid:ada')
    await socket.call('create', { text: 'Survive' })
    await evictDurableObject(instance('todos', '/todos'))
    expect((await socket.call('create', { text: 'After' })).data.todo.text).toBe('After')
    expect((await socket.call('list')).data.todos.map((t: { text: string }) => t.text)).toEqual(expect.arrayContaining(['Survive', 'After']))
  })
})
