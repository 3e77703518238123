import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, TestSocket } from '../../workers/support/test-socket'

// Seed 001's action routing with auth: `auth` (no session needed) takes setSession from services.
describe('seed 001: action routing with auth', () => {
  it('needs a session for subscribe and create until auth sets one', async () => {
    const { socket } = await TestSocket.join('/todos')
    expect((await socket.call('subscribe')).error).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect((await socket.call('auth', { token: 'valid:ada' })).data).toEqual({ success: true })
    expect((await socket.call('subscribe')).data).toEqual({ subscribed: true })
    expect((await socket.call('create', { text: 'Buy milk' })).data.todo).toMatchObject({ text: 'Buy milk' })
    expect(await socket.next()).toMatchObject({ type: 'event', topic: 'todos:updated', data: { event: 'created', by: 'ada' } })
  })

  it('refuses a token that does not verify, and sets no session', async () => {
    const { socket } = await TestSocket.join('/todos')
    expect((await socket.call('auth', { token: 'forged' })).error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'That token does not verify' })
    expect((await socket.call('create', { text: 'x' })).error).toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('keeps the session it set across eviction', async () => {
    const { socket } = await TestSocket.join('/todos')
    await socket.call('auth', { token: 'valid:grace' })
    await evictDurableObject(instance('todos', '/todos'))
    expect((await socket.call('create', { text: 'Still me' })).data.todo.text).toBe('Still me')
  })
})
