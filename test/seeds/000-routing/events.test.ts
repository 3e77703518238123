import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, TestSocket } from '../../workers/support/test-socket'

// Seed 000's action routing: `{ "action": "subscribe", "topic": "updates" }` invokes subscribe.
describe('seed 000: action routing with onMessageWiring', () => {
  it('routes the seed frame { action: "subscribe", topic } to subscribe, with the flat input', async () => {
    const { socket } = await TestSocket.join('/?token=valid:ada')
    socket.send({ action: 'subscribe', topic: 'updates' })
    expect(await socket.next()).toEqual({ type: 'reply', action: 'subscribe', data: { subscribed: 'updates' } })
  })

  it('sends what matches no action to onMessage (the fallback), and subscriptions get its publishes, across eviction', async () => {
    const { socket: listener } = await TestSocket.join('/?token=valid:ada')
    const { socket: other } = await TestSocket.join('/?token=valid:grace')
    listener.send({ action: 'subscribe', topic: 'updates' })
    await listener.next()
    await evictDurableObject(instance('events', '/'))
    other.send({ action: 'anything-else', id: 1, note: 'hi' })
    expect(await other.next()).toMatchObject({ type: 'reply', id: 1, data: { echo: { note: 'hi' } } })
    expect(await listener.next()).toMatchObject({ type: 'event', topic: 'updates', data: { note: 'hi' } })
  })

  it('routes the shorthand reference (unsubscribe) like the long form', async () => {
    const { socket } = await TestSocket.join('/?token=valid:ada')
    socket.send({ action: 'unsubscribe', id: 'u', topic: 'updates' })
    expect(await socket.next()).toEqual({ type: 'reply', action: 'unsubscribe', id: 'u', data: { unsubscribed: 'updates' } })
  })
})
