import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eventually, instance, TestSocket } from '../../workers/support/test-socket'
import { logged } from '../support/services'

// Seed 000's basic wiring: `events` at `/`, onConnect / onDisconnect / onMessage, auth: true, audit middleware.
describe('seed 000: basic channel wiring', () => {
  it("sends onConnect's result in the welcome", async () => {
    const { welcome } = await TestSocket.join('/?token=valid:ada')
    expect(welcome.data).toEqual({ welcome: 'connected' })
  })

  it('routes a frame without an action to onMessage and sends its result back', async () => {
    const { socket } = await TestSocket.join('/?token=valid:ada')
    socket.send({ id: 2, message: 'hello' })
    expect(await socket.next()).toMatchObject({ type: 'reply', id: 2, data: { received: true } })
  })

  it('runs the audit middleware around every handler, with the route and the session user', async () => {
    const { socket } = await TestSocket.join('/?token=valid:grace')
    socket.send({ id: 4, message: 'audited' })
    await socket.next()
    await eventually(() => logged.some((l) => l.first === 'channel.audit' && (l.meta[0] as { userId?: string }).userId === 'grace'))
    expect(logged.find((l) => l.first === 'channel.audit' && (l.meta[0] as { userId?: string }).userId === 'grace')!.meta[0]).toMatchObject({ route: '/', ms: expect.any(Number) })
  })

  it('holds messages to the channel default auth: true (no session, no message)', async () => {
    const { socket } = await TestSocket.join('/')
    socket.send({ id: 1, message: 'hello' })
    expect(await socket.next()).toMatchObject({ type: 'error', id: 1, error: { code: 'UNAUTHENTICATED' } })
  })

  it('still works after the object is evicted: the session came back from the attachment', async () => {
    const { socket } = await TestSocket.join('/?token=valid:ada')
    await evictDurableObject(instance('events', '/'))
    socket.send({ id: 3, message: 'after' })
    expect(await socket.next()).toMatchObject({ type: 'reply', id: 3, data: { received: true } })
  })
})
