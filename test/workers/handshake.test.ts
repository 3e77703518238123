import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { instance, request, TestSocket } from './support/test-socket'

const upgrade = { Upgrade: 'websocket' }

describe('handshake failures are answered before any socket is accepted', () => {
  it('426 for a request that is not an upgrade', async () => {
    const response = await request('/lab/one')
    expect(response.status).toBe(426)
    expect(response.headers.get('upgrade')).toBe('websocket')
    expect(await response.json()).toEqual({ error: { code: 'UPGRADE_REQUIRED', message: expect.stringContaining('"lab"') } })
  })

  it('404 for a path no channel is wired at', async () => {
    const response = await request('/nowhere/at/all', { headers: upgrade })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No channel is wired at /nowhere/at/all' } })
  })

  it('a trailing slash is another path', async () => {
    expect((await request('/lab/one/', { headers: upgrade })).status).toBe(404)
  })

  it('a handshake probe gets what the upgrade would, without a socket: 204, 403, 404', async () => {
    const probe = { 'x-pikku-probe': '1' }
    const accepted = await request('/lab/probed', { headers: probe })
    expect(accepted.status).toBe(204)
    expect(accepted.webSocket).toBeNull()
    const evil = await request('/lab/probed', { headers: { ...probe, Origin: 'https://evil.example' } })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBe('https://evil.example')
    expect(await evil.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Origin https://evil.example may not open this channel' } })
    expect((await request('/nowhere', { headers: probe })).status).toBe(404)
    // The probe reached no object: the instance has no sockets.
    expect(await runInDurableObject(instance('lab', '/lab/probed'), (_object, state) => state.getWebSockets().length)).toBe(0)
  })

  it('400 naming the limit for opening data that could not be kept with the connection', async () => {
    const long = await request(`/lab/big?note=${'x'.repeat(20_000)}`, { headers: upgrade })
    const many = await request(`/lab/big?${Array.from({ length: 3000 }, (_, i) => `k${i}=1`).join('&')}`, { headers: upgrade })
    for (const response of [long, many]) {
      expect(response.status).toBe(400)
      expect(response.webSocket).toBeNull()
      const { error } = (await response.json()) as { error: { code: string; message: string } }
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toMatch(/^Opening data \(the route's params and query\) takes \d+ bytes; a connection keeps at most 8192/)
    }
    expect(await runInDurableObject(instance('lab', '/lab/big'), (_object, state) => state.getWebSockets().length)).toBe(0)
    // Just under the limit still opens.
    await TestSocket.join(`/lab/big?note=${'x'.repeat(8000)}`)
  })

  it('ChannelObject refuses requests that did not come through the router', async () => {
    const response = await instance('lab', '/lab/direct').fetch('http://do/lab/direct', { headers: upgrade })
    expect(response.status).toBe(400)
  })
})

describe('routing', () => {
  it('path parameters pick the instance; query values cannot override them', async () => {
    const { socket } = await TestSocket.join('/lab/real-room?room=spoofed&extra=1')
    expect((await socket.call('whoami')).data.openingData).toEqual({ room: 'real-room', extra: '1' })
  })

  it('percent-encoded parameters are decoded, and both spellings of an escape reach one instance', async () => {
    const a = await TestSocket.join('/lab/caf%C3%A9')
    const b = await TestSocket.join('/lab/caf%c3%a9')
    expect((await a.socket.call('whoami')).data.openingData).toEqual({ room: 'café' })
    // Both connections live in one object: it lists two sockets.
    const count = await runInDurableObject(instance('lab', '/lab/caf%C3%A9'), (_object, state) => state.getWebSockets().length)
    expect(count).toBe(2)
    expect(b.welcome.type).toBe('welcome')
  })

  it('internal headers sent by a client are replaced, not trusted', async () => {
    const { socket } = await TestSocket.join('/lab/honest', { 'x-pikku-channel': 'gate', 'x-pikku-path': '/gate/close', 'x-pikku-opening': encodeURIComponent('{"mode":"close"}') })
    expect((await socket.call('whoami')).data.openingData).toEqual({ room: 'honest' })
  })
})
