import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, TestSocket } from '../../workers/support/test-socket'

// Seed 001's complete example: `chat` (no route), auth via jwt into the wire's setSession, send, history.
describe('seed 001: the complete chat example', () => {
  it('authenticates with the jwt service, putting the session in the wire, then sends as that user', async () => {
    const { socket: ada } = await TestSocket.join('/chat')
    const { socket: grace } = await TestSocket.join('/chat')
    expect((await ada.call('send', { text: 'too early' })).error).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect((await ada.call('auth', { token: 'valid:ada' })).data).toEqual({ success: true })
    const sent = await ada.call('send', { text: 'hello' })
    expect(sent.data).toEqual({ message: { id: expect.any(Number), text: 'hello', userId: 'ada' } })
    expect(await grace.next()).toEqual({ type: 'message', data: { message: sent.data.message } })
    expect(await ada.next()).toEqual({ type: 'message', data: { message: sent.data.message } })
  })

  it('answers history without a session (auth: false)', async () => {
    const { socket } = await TestSocket.join('/chat')
    const { messages } = (await socket.call('history', { limit: 10 })).data
    expect(messages).toEqual(expect.arrayContaining([expect.objectContaining({ text: 'hello', userId: 'ada' })]))
  })

  it('keeps the session and the subscriptions across eviction', async () => {
    const { socket: ada } = await TestSocket.join('/chat')
    const { socket: grace } = await TestSocket.join('/chat')
    await ada.call('auth', { token: 'valid:ada' })
    await evictDurableObject(instance('chat', '/chat'))
    const sent = await ada.call('send', { text: 'after eviction' })
    expect(sent.data.message.userId).toBe('ada')
    expect(await grace.next()).toEqual({ type: 'message', data: { message: sent.data.message } })
  })

  it('refuses a token that does not verify', async () => {
    const { socket } = await TestSocket.join('/chat')
    expect((await socket.call('auth', { token: 'nope' })).error).toEqual({ code: 'UNAUTHENTICATED', message: 'That token does not verify' })
  })
})
