import { describe, expect, it } from 'vitest'
import { SESSION_REQUIRED } from '../../src/core/runtime/call'
import { TestSocket } from './support/test-socket'

const room = () => `c${crypto.randomUUID().slice(0, 8)}`

describe('services.rpc.invoke applies the invoked function’s own rules', () => {
  it('its auth: a pikkuFunc needs a session even when the calling action does not', async () => {
    const { socket } = await TestSocket.join(`/lab/${room()}`)
    expect((await socket.call('rpcSecret', {}, 1)).error).toEqual({ code: 'UNAUTHENTICATED', message: SESSION_REQUIRED })
    await socket.call('login', { user: 'ada' })
    expect((await socket.call('rpcSecret', { note: 'hi' }, 2)).data).toEqual({ user: { user: 'ada' }, note: 'hi' })
  })

  it('its validation: bad input is INVALID_INPUT with the invoked schema’s issues', async () => {
    const { socket } = await TestSocket.join(`/lab/${room()}`)
    await socket.call('login', { user: 'ada' })
    const reply = await socket.call('rpcSecret', { note: 42 })
    expect(reply.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['note'] }] })
  })

  it('the same function wired as an action behaves the same way', async () => {
    const { socket } = await TestSocket.join(`/lab/${room()}`)
    expect((await socket.call('secret')).error.code).toBe('UNAUTHENTICATED')
    await socket.call('login', { user: 'bob' })
    expect((await socket.call('secret', { note: 'x' })).data).toEqual({ user: { user: 'bob' }, note: 'x' })
  })
})
