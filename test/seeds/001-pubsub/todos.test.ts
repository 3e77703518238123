import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, TestSocket } from '../../workers/support/test-socket'

// Seed 001's pub/sub: onConnect subscribes with a callback that sends what it gets.
describe('seed 001: pub/sub with EventHub (the callback form)', () => {
  it('welcomes (the callback subscription does not throw) and delivers every publish as a message frame', async () => {
    const { socket: watcher } = await TestSocket.join('/todos')
    const { socket: ada } = await TestSocket.join('/todos?token=valid:ada')
    const reply = await ada.call('create', { text: 'Buy milk' })
    expect(reply.data).toEqual({ todo: { id: expect.any(Number), text: 'Buy milk', done: false } })
    const update = { type: 'message', data: { event: 'created', todo: reply.data.todo } }
    expect(await watcher.next()).toEqual(update)
    expect(await ada.next()).toEqual(update)
  })

  it('delivers the same after the object is evicted, when the callback itself is gone', async () => {
    const { socket: watcher } = await TestSocket.join('/todos')
    const { socket: ada } = await TestSocket.join('/todos?token=valid:ada')
    await evictDurableObject(instance('todos', '/todos'))
    const reply = await ada.call('create', { text: 'After eviction' })
    expect(await watcher.next()).toEqual({ type: 'message', data: { event: 'created', todo: reply.data.todo } })
  })
})

describe("Pikku's publish(topic, channelId | null, data)", () => {
  it('skips the connection it names, and nobody for null', async () => {
    const { socket: sender } = await TestSocket.join('/pikku-publish')
    const { socket: other } = await TestSocket.join('/pikku-publish')
    await sender.call('note', { text: 'quiet' })
    expect(await other.next()).toEqual({ type: 'event', topic: 'notes', data: { text: 'quiet' }, seq: expect.any(Number) })
    await sender.expectSilence()
    await sender.call('shout', { text: 'loud' })
    expect(await other.next()).toMatchObject({ topic: 'notes', data: { text: 'loud' } })
    expect(await sender.next()).toMatchObject({ topic: 'notes', data: { text: 'loud' } })
  })
})
