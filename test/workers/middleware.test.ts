import { describe, expect, it } from 'vitest'
import { trail } from './fixture/vault.channel'
import { eventually, TestSocket } from './support/test-socket'

const room = () => `w${crypto.randomUUID().slice(0, 8)}`

describe('middleware around handlers', () => {
  it('runs channel, then wiring, then function middleware, with the live session at hand', async () => {
    const { socket, welcome } = await TestSocket.join(`/vault/${room()}`, { Authorization: 'Bearer ada-token' })
    await socket.call('me')
    const steps = trail.filter((t) => t.channelId === welcome.channelId && t.kind === 'message').map((t) => t.step)
    expect(steps).toEqual(['channel:before', 'wiring:before', 'function:before', 'function:after', 'wiring:after', 'channel:after'])
    expect(trail.find((t) => t.channelId === welcome.channelId && t.step === 'channel:before')?.userId).toBe('ada')
  })

  it('runs around connect and disconnect too, with the session from the upgrade', async () => {
    const { socket, welcome } = await TestSocket.join(`/vault/${room()}`, { Authorization: 'Bearer bob-token' })
    expect(trail.filter((t) => t.channelId === welcome.channelId && t.kind === 'connect')).toEqual([
      { step: 'channel:before', kind: 'connect', action: undefined, channelId: welcome.channelId, userId: 'bob' },
      { step: 'channel:after', kind: 'connect', action: undefined, channelId: welcome.channelId },
    ])
    socket.ws.close(1000)
    await eventually(() => trail.some((t) => t.channelId === welcome.channelId && t.kind === 'disconnect' && t.step === 'channel:after'))
  })
})

describe('channel middleware on what a connection is sent', () => {
  it('transforms replies and channel.send messages (tag middleware first, then the channel’s own)', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    expect(await socket.call('say', { hello: 1 }, 'x')).toEqual({ type: 'reply', action: 'say', id: 'x', data: { hello: 1 }, stamped: true })
    expect(socket.frames.slice(1)).toEqual([
      { type: 'message', data: { hello: 1 }, stamped: true },
      { type: 'reply', action: 'say', id: 'x', data: { hello: 1 }, stamped: true },
    ])
  })

  it('drops an event with next(null)', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    socket.send({ action: 'say', id: 'hidden', data: { secret: true } })
    socket.send({ action: 'public', id: 'after' })
    // Neither the message nor the reply for "hidden" arrives; the next request is answered normally.
    expect(await socket.next()).toEqual({ type: 'reply', action: 'public', id: 'after', data: { ok: 'public' }, stamped: true })
    await socket.expectSilence()
  })

  it('fans out with next([a, b]), each passing through the rest of the chain', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    socket.send({ action: 'say', id: 'two', data: { twice: true } })
    expect([await socket.next(), await socket.next(), await socket.next(), await socket.next()]).toEqual([
      { type: 'message', data: { twice: true }, stamped: true },
      { type: 'message', data: { copy: true }, stamped: true },
      { type: 'reply', action: 'say', id: 'two', data: { twice: true }, stamped: true },
      { type: 'message', data: { copy: true }, stamped: true },
    ])
  })

  it('leaves welcome, errors and pongs alone', async () => {
    const { socket, welcome } = await TestSocket.join(`/vault/${room()}`)
    expect(welcome).not.toHaveProperty('stamped')
    expect(await socket.call('me', undefined, 'e')).not.toHaveProperty('stamped')
    socket.send({ action: '$ping', id: 'p' })
    expect(await socket.next()).toEqual({ type: 'pong', id: 'p' })
  })
})
