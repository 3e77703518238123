import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MissingBindingError } from '../../src/cloudflare/addressing'
import { publisher } from '../../src/index'
import { newsChannel } from './fixture/news.channel'
import { request } from './support/test-socket'

// The fixture mounts channels({ binding: 'NOPE' }) at /nope; the Worker's only Durable Object binding is CHANNELS.

const UPGRADE = { Upgrade: 'websocket' }
const ROUTER_MESSAGE =
  'channels(): no Durable Object binding "NOPE" in env. Fix: bind ChannelObject as NOPE in wrangler.toml ([[durable_objects.bindings]] name = "NOPE"), ' +
  "or use the one env has: channels({ binding: 'CHANNELS' })"

/** The shell's log lines that report a missing binding. */
function bindingLogs(errors: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((entry) => entry.message === 'channel.binding_missing')
}

afterEach(() => vi.restoreAllMocks())

describe('a router told a binding env does not have', () => {
  it('answers 500 naming both fixes, and logs it once for the isolate, not per request', async () => {
    const errors = vi.spyOn(console, 'error')
    for (let i = 0; i < 3; i++) {
      const response = await request(`/nope/lab/room-${i}`, { headers: UPGRADE })
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: ROUTER_MESSAGE } })
    }
    // Nothing else requests /nope: these three requests log one line between them.
    expect(bindingLogs(errors)).toEqual([{ level: 'error', message: 'channel.binding_missing', binding: 'NOPE', found: ['CHANNELS'], problem: ROUTER_MESSAGE }])
  })

  it('a publisher with a wrong binding names its own option, and is logged once too', async () => {
    const errors = vi.spyOn(console, 'error')
    const publish = publisher(env as unknown as Record<string, unknown>, { binding: 'ALSO_NOPE' })
    for (let i = 0; i < 2; i++) {
      await expect(publish.publish(newsChannel, { room: 'r' }, 'chat:message', { text: 'x' } as never)).rejects.toThrow(
        new MissingBindingError(
          'publisher: no Durable Object binding "ALSO_NOPE" in env. Fix: bind ChannelObject as ALSO_NOPE in wrangler.toml ([[durable_objects.bindings]] name = "ALSO_NOPE"), ' +
            "or use the one env has: publisher(env, { binding: 'CHANNELS' })",
        ),
      )
    }
    expect(bindingLogs(errors)).toEqual([
      {
        level: 'error',
        message: 'channel.binding_missing',
        binding: 'ALSO_NOPE',
        found: ['CHANNELS'],
        problem: expect.stringContaining("publisher(env, { binding: 'CHANNELS' })"),
      },
    ])
  })

  it('a handshake probe gets the same 500', async () => {
    const response = await request('/nope/lab/probed', { headers: { 'x-pikku-probe': '1' } })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: ROUTER_MESSAGE } })
  })

  it("its publish route answers 500 with the router's message, once the secret is right", async () => {
    const body = JSON.stringify({ channel: 'news', params: { room: 'r' }, topic: 'chat:message', data: { text: 'x' } })
    const wrongSecret = await request('/nope/_publish', { method: 'POST', headers: { Authorization: 'Bearer wrong-secret-0123456789' }, body })
    expect(wrongSecret.status).toBe(401)
    const response = await request('/nope/_publish', { method: 'POST', headers: { Authorization: 'Bearer test-publish-secret-0123456789' }, body })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: ROUTER_MESSAGE } })
  })
})
