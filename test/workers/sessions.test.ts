import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { SESSION_REQUIRED } from '../../src/core/runtime/call'
import { instance, request, TestSocket } from './support/test-socket'

const room = () => `s${crypto.randomUUID().slice(0, 8)}`
const upgrade = { Upgrade: 'websocket' }

describe('sessions set in handlers', () => {
  it('take effect on the next message, survive eviction, and clear; another user takes over at once', async () => {
    const r = room()
    const { socket } = await TestSocket.join(`/vault/${r}`)
    expect((await socket.call('me', undefined, 'm1')).error).toEqual({ code: 'UNAUTHENTICATED', message: SESSION_REQUIRED })

    expect((await socket.call('login', { token: 'ada-token' })).data).toEqual({ userId: 'ada' })
    expect((await socket.call('me')).data).toEqual({ userId: 'ada', roles: ['admin', 'writer'] })

    await evictDurableObject(instance('vault', `/vault/${r}`))
    expect((await socket.call('me')).data).toEqual({ userId: 'ada', roles: ['admin', 'writer'] })

    await socket.call('logout')
    expect((await socket.call('me')).error.code).toBe('UNAUTHENTICATED')

    await socket.call('login', { token: 'bob-token' })
    expect((await socket.call('me')).data).toEqual({ userId: 'bob', roles: ['reader'] })
    await socket.call('login', { token: 'cy-token' })
    expect((await socket.call('me')).data).toEqual({ userId: 'cy', roles: ['admin'] })
  })

  it('an unauthenticated call gets exactly one error frame with its action and id', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    socket.send({ action: 'me', id: 'only-one' })
    expect(await socket.next()).toEqual({ type: 'error', action: 'me', id: 'only-one', error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } })
    await socket.expectSilence()
  })

  it('a session too large for the attachment fails clearly at setSession and leaves the old one', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    await socket.call('login', { token: 'ada-token' })
    const reply = await socket.call('oversizeSession')
    expect(reply.data.error).toMatch(/must fit in 16384 bytes/)
    expect(reply.data.still).toBe('ada')
    expect((await socket.call('me')).data.userId).toBe('ada')
  })
})

describe('sessions from the upgrade request', () => {
  it('a bearer token becomes the session before onConnect, and survives eviction', async () => {
    const r = room()
    const { socket } = await TestSocket.join(`/vault/${r}`, { Authorization: 'Bearer ada-token' })
    expect((await socket.call('me')).data).toEqual({ userId: 'ada', roles: ['admin', 'writer'] })
    await evictDurableObject(instance('vault', `/vault/${r}`))
    expect((await socket.call('me')).data.userId).toBe('ada')
  })

  it('a ?token= works too', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}?token=bob-token`)
    expect((await socket.call('me')).data.userId).toBe('bob')
  })

  it('an unknown token is refused with 401 and a readable body, before any socket exists', async () => {
    const response = await request(`/vault/${room()}`, { headers: { ...upgrade, Authorization: 'Bearer nope' } })
    expect(response.status).toBe(401)
    expect(response.webSocket).toBeNull()
    expect(await response.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Unknown token' } })
  })

  it('a banned user is refused with 403', async () => {
    const response = await request(`/vault/${room()}?token=banned`, { headers: upgrade })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'You are banned' } })
  })

  it('a session too large to keep is refused with 500, not half-connected', async () => {
    const r = room()
    const response = await request(`/vault/${r}?token=huge`, { headers: upgrade })
    expect(response.status).toBe(500)
    const { runInDurableObject } = await import('cloudflare:test')
    expect(await runInDurableObject(instance('vault', `/vault/${r}`), (_o, state) => state.getWebSockets().length)).toBe(0)
  })

  it('a forged internal session header grants nothing', async () => {
    const forged = encodeURIComponent(JSON.stringify({ userId: 'admin', roles: ['admin'] }))
    const { socket } = await TestSocket.join(`/vault/${room()}`, { 'x-pikku-session': forged, 'X-Pikku-Limits': encodeURIComponent('{"rateLimit":false}') })
    expect((await socket.call('me')).error.code).toBe('UNAUTHENTICATED')
  })
})
