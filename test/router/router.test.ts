import { Hono } from 'hono'
import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { MissingBindingError } from '../../src/cloudflare/addressing'
import { publisher } from '../../src/cloudflare/publisher'
import { channels } from '../../src/cloudflare/router'
import { wireChannel } from '../../src/core/wiring/wire'

// Every channel is wired before channels() reads the registry.
const onMessage = async () => {}
wireChannel({
  name: 'chat',
  route: '/chat/:room',
  onMessage,
  openingData: v.object({ room: v.string(), name: v.optional(v.pipe(v.string(), v.minLength(2, 'Name is too short'))) }),
})
wireChannel({ name: 'lobby', route: '/chat/lobby', onMessage }) // static, wired after the parameter route
wireChannel({ name: 'top', route: '/games/top', onMessage }) // static, wired before the parameter route
const gameChannel = wireChannel({ name: 'game', route: '/games/:game', onMessage, topics: { moves: {} } })

/** A Durable Object namespace that records what reaches it. */
function fakeNamespace() {
  const forwarded: { name: string; request: Request }[] = []
  return {
    forwarded,
    getByName(name: string) {
      return {
        async fetch(request: Request) {
          forwarded.push({ name, request })
          return new Response('forwarded', { status: 200 })
        },
      }
    },
  }
}

const UPGRADE = { Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }

async function request(path: string, init: RequestInit = { headers: UPGRADE }, app = channels()) {
  const CHANNELS = fakeNamespace()
  const response = await app.fetch(new Request(`https://example.com${path}`, init), { CHANNELS })
  return { response, forwarded: CHANNELS.forwarded }
}

const opening = (request: Request) => JSON.parse(decodeURIComponent(request.headers.get('x-pikku-opening')!))

describe('channels()', () => {
  it('forwards an upgrade to the object for the channel instance', async () => {
    const { response, forwarded } = await request('/chat/general')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('forwarded')
    expect(forwarded).toHaveLength(1)
    const [{ name, request: sent }] = forwarded as [{ name: string; request: Request }]
    expect(name).toBe('chat:/chat/general')
    expect(sent.method).toBe('GET')
    expect(sent.url).toBe('https://example.com/chat/general')
    expect(sent.headers.get('x-pikku-channel')).toBe('chat')
    expect(sent.headers.get('x-pikku-path')).toBe('/chat/general')
    expect(sent.headers.get('x-pikku-opening')).toBe(encodeURIComponent('{"room":"general"}'))
    expect(sent.headers.get('upgrade')).toBe('websocket')
    expect(sent.headers.get('sec-websocket-key')).toBe(UPGRADE['Sec-WebSocket-Key'])
  })

  it('passes query values as opening data, with path parameters winning', async () => {
    const { forwarded } = await request('/chat/general?room=evil&name=Zoë')
    expect(forwarded[0]!.name).toBe('chat:/chat/general')
    expect(opening(forwarded[0]!.request)).toStrictEqual({ room: 'general', name: 'Zoë' })
    expect(forwarded[0]!.request.headers.get('x-pikku-opening')).toMatch(/^[\x20-\x7e]+$/)
  })

  it('strips internal headers a client sends', async () => {
    const { forwarded } = await request('/chat/general', {
      headers: { ...UPGRADE, 'x-pikku-channel': 'lobby', 'X-Pikku-Path': '/chat/lobby', 'x-pikku-anything': 'forged' },
    })
    const { name, request: sent } = forwarded[0]!
    expect(name).toBe('chat:/chat/general')
    expect(sent.headers.get('x-pikku-channel')).toBe('chat')
    expect(sent.headers.get('x-pikku-path')).toBe('/chat/general')
    expect(sent.headers.has('x-pikku-anything')).toBe(false)
  })

  it('answers 426 to a request that is not an upgrade', async () => {
    for (const init of [{}, { method: 'POST', headers: UPGRADE }]) {
      const { response, forwarded } = await request('/chat/general', init)
      expect(response.status).toBe(426)
      expect(response.headers.get('upgrade')).toBe('websocket')
      expect(await response.json()).toMatchObject({ error: { code: 'UPGRADE_REQUIRED' } })
      expect(forwarded).toStrictEqual([])
    }
  })

  it('answers 404 with JSON for an unknown path', async () => {
    const { response, forwarded } = await request('/nowhere')
    expect(response.status).toBe(404)
    expect(await response.json()).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'No channel is wired at /nowhere' } })
    expect(forwarded).toStrictEqual([])
  })

  it('answers 400 with the issues when opening data fails the schema', async () => {
    const { response, forwarded } = await request('/chat/general?name=x')
    expect(response.status).toBe(400)
    expect(await response.json()).toStrictEqual({
      error: { code: 'INVALID_INPUT', message: 'Opening data is invalid: Name is too short', issues: [{ message: 'Name is too short', path: ['name'] }] },
    })
    expect(forwarded).toStrictEqual([])
  })

  it('gives both spellings of a percent-encoded path one instance', async () => {
    const upper = await request('/chat/caf%C3%A9')
    const lower = await request('/chat/caf%c3%a9')
    expect(upper.forwarded[0]!.name).toBe('chat:/chat/caf%C3%A9')
    expect(lower.forwarded[0]!.name).toBe('chat:/chat/caf%C3%A9')
    expect(opening(lower.forwarded[0]!.request)).toStrictEqual({ room: 'café' })
  })

  it('keeps an encoded "/" inside one parameter', async () => {
    const { forwarded } = await request('/chat/a%2Fb')
    expect(forwarded[0]!.name).toBe('chat:/chat/a%2Fb')
    expect(opening(forwarded[0]!.request)).toStrictEqual({ room: 'a/b' })
  })

  it('prefers a static route over a parameter, whatever the wiring order', async () => {
    expect((await request('/chat/lobby')).forwarded[0]!.name).toBe('lobby:/chat/lobby')
    expect((await request('/games/top')).forwarded[0]!.name).toBe('top:/games/top')
    expect((await request('/games/chess')).forwarded[0]!.name).toBe('game:/games/chess')
  })

  it('works mounted under a prefix in another Hono app', async () => {
    const root = new Hono()
    root.route('/ws', channels())
    const { response, forwarded } = await request('/ws/chat/general', { headers: UPGRADE }, root as unknown as ReturnType<typeof channels>)
    expect(response.status).toBe(200)
    expect(forwarded[0]!.name).toBe('chat:/chat/general')
    expect(forwarded[0]!.request.headers.get('x-pikku-path')).toBe('/chat/general')
  })

  it('answers 500 naming both fixes when the binding is missing', async () => {
    const response = await channels().fetch(new Request('https://example.com/chat/general', { headers: UPGRADE }), {})
    expect(response.status).toBe(500)
    expect(await response.json()).toStrictEqual({
      error: {
        code: 'INTERNAL',
        message: 'channels(): no Durable Object binding "CHANNELS" in env. Fix: bind ChannelObject as CHANNELS in wrangler.toml ([[durable_objects.bindings]] name = "CHANNELS"); env has no Durable Object bindings at all',
      },
    })
  })

  it('names the Durable Object bindings env does have, and logs the problem once, not per request', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const env = {
      CHANNEL: fakeNamespace(),
      OTHER_OBJECTS: { idFromName: () => undefined },
      KV: { get: async () => null },
      SERVICE: { fetch: async () => new Response(), getByName: () => undefined }, // a service binding answers any name
      SECRET: 'x',
      NOTHING: null,
    }
    const app = channels()
    const expected =
      'channels(): no Durable Object binding "CHANNELS" in env. Fix: bind ChannelObject as CHANNELS in wrangler.toml ([[durable_objects.bindings]] name = "CHANNELS"), ' +
      "or use one env has (CHANNEL, OTHER_OBJECTS): channels({ binding: 'CHANNEL' })"
    for (let i = 0; i < 3; i++) {
      const response = await app.fetch(new Request('https://example.com/chat/general', { headers: UPGRADE }), env)
      expect(response.status).toBe(500)
      expect(await response.json()).toStrictEqual({ error: { code: 'INTERNAL', message: expected } })
    }
    expect(errors).toHaveBeenCalledTimes(1)
    expect(JSON.parse(String(errors.mock.calls[0]![0]))).toStrictEqual({
      level: 'error',
      message: 'channel.binding_missing',
      binding: 'CHANNELS',
      found: ['CHANNEL', 'OTHER_OBJECTS'],
      problem: expected,
    })
    errors.mockRestore()
  })

  it('says when the binding is there but is not a Durable Object namespace', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const response = await channels({ binding: 'CHANNELS' }).fetch(new Request('https://example.com/chat/general', { headers: UPGRADE }), { CHANNELS: 'a var', REAL: fakeNamespace() })
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      'channels(): env.CHANNELS is not a Durable Object binding. Fix: bind ChannelObject as CHANNELS in wrangler.toml ([[durable_objects.bindings]] name = "CHANNELS"), ' +
        "or use the one env has: channels({ binding: 'REAL' })",
    )
    vi.restoreAllMocks()
  })

  it("the publisher names its own option for another binding", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const send = publisher({ CHANNEL: fakeNamespace() }).publish(gameChannel, { game: 'chess' }, 'moves' as never, {} as never)
    await expect(send).rejects.toThrow(
      new MissingBindingError(
        'publisher: no Durable Object binding "CHANNELS" in env. Fix: bind ChannelObject as CHANNELS in wrangler.toml ([[durable_objects.bindings]] name = "CHANNELS"), ' +
          "or use the one env has: publisher(env, { binding: 'CHANNEL' })",
      ),
    )
    vi.restoreAllMocks()
  })

  it('uses the binding named in the options', async () => {
    const OTHER = fakeNamespace()
    const CHANNELS = fakeNamespace()
    const response = await channels({ binding: 'OTHER' }).fetch(new Request('https://example.com/chat/general', { headers: UPGRADE }), { OTHER, CHANNELS })
    expect(response.status).toBe(200)
    expect(OTHER.forwarded.map((f) => f.name)).toStrictEqual(['chat:/chat/general'])
    expect(CHANNELS.forwarded).toStrictEqual([])
  })

  it('seals the registry against later wiring', () => {
    channels()
    expect(() => wireChannel({ name: 'late', route: '/late', onMessage })).toThrow('ran after channels() had read the wirings')
  })
})

const header = (request: Request, name: string) => JSON.parse(decodeURIComponent(request.headers.get(name)!))

describe('channels() handshake protection', () => {
  it('refuses an origin outside the allow-list with 403, and lets requests without Origin through', async () => {
    const app = channels({ origins: ['https://app.example.com'] })
    const evil = await request('/chat/general', { headers: { ...UPGRADE, Origin: 'https://evil.example.com' } }, app)
    expect(evil.response.status).toBe(403)
    expect(await evil.response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Origin https://evil.example.com may not open this channel' } })
    expect(evil.forwarded).toHaveLength(0)
    expect((await request('/chat/general', { headers: { ...UPGRADE, Origin: 'https://APP.example.com' } }, app)).forwarded).toHaveLength(1)
    expect((await request('/chat/general', { headers: UPGRADE }, app)).forwarded).toHaveLength(1)
  })

  it('takes a function as the origin check', async () => {
    const app = channels({ origins: (origin) => origin.endsWith('.example.com') })
    expect((await request('/chat/general', { headers: { ...UPGRADE, Origin: 'https://a.example.com' } }, app)).forwarded).toHaveLength(1)
    expect((await request('/chat/general', { headers: { ...UPGRADE, Origin: 'https://example.org' } }, app)).response.status).toBe(403)
  })

  it('forwards the session an authenticator returns, given the request and the validated opening data', async () => {
    const seen: unknown[] = []
    const app = channels({
      authenticate: async (req, context) => {
        seen.push({ auth: req.headers.get('authorization'), channel: context.channel, openingData: context.openingData })
        return { userId: 'u1' }
      },
    })
    const { forwarded } = await request('/chat/general?name=ada', { headers: { ...UPGRADE, Authorization: 'Bearer t' } }, app)
    expect(seen).toEqual([{ auth: 'Bearer t', channel: 'chat', openingData: { room: 'general', name: 'ada' } }])
    expect(header(forwarded[0]!.request, 'x-pikku-session')).toEqual({ userId: 'u1' })
  })

  it('sends no session header when the authenticator returns nothing, even if the client sent one', async () => {
    const app = channels({ authenticate: async () => undefined })
    const { forwarded } = await request('/chat/general', { headers: { ...UPGRADE, 'x-pikku-session': '%7B%7D' } }, app)
    expect(forwarded[0]!.request.headers.get('x-pikku-session')).toBeNull()
  })

  it.each([
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
  ] as const)('answers an authenticator throwing %s with %i and a readable body', async (code, status) => {
    const { ChannelError } = await import('../../src/core/errors')
    const app = channels({
      authenticate: async () => {
        throw new ChannelError(code, 'No entry')
      },
    })
    const { response, forwarded } = await request('/chat/general', { headers: UPGRADE }, app)
    expect(response.status).toBe(status)
    expect(await response.json()).toEqual({ error: { code, message: 'No entry' } })
    expect(forwarded).toHaveLength(0)
  })

  it('hides an authenticator crash behind 500 INTERNAL', async () => {
    const app = channels({
      authenticate: async () => {
        throw new Error('database down')
      },
    })
    const { response } = await request('/chat/general', { headers: UPGRADE }, app)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } })
  })

  it('forwards its limit options for the object to apply', async () => {
    const app = channels({ maxMessageSize: 2048, rateLimit: { perSecond: 5 }, maxConnections: 10 })
    const { forwarded } = await request('/chat/general', { headers: UPGRADE }, app)
    expect(header(forwarded[0]!.request, 'x-pikku-limits')).toEqual({ maxMessageSize: 2048, rateLimit: { perSecond: 5 }, maxConnections: 10 })
  })

  it('rejects bad options when it is built', () => {
    expect(() => channels({ maxMessageSize: 0 })).toThrow('channels(): maxMessageSize must be a whole number from 1 to 33554432')
    expect(() => channels({ origins: 'https://a.example' as never })).toThrow('channels(): origins must be an array')
  })
})

const PROBE = { 'x-pikku-probe': '1' }

describe('channels() handshake probe', () => {
  it('answers 204 when the upgrade would be accepted, and forwards nothing', async () => {
    const { response, forwarded } = await request('/chat/general?name=ada', { headers: PROBE })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(forwarded).toStrictEqual([])
  })

  it('answers what the upgrade would get: bad opening data, an unknown path, a refused origin', async () => {
    const invalid = await request('/chat/general?name=x', { headers: PROBE })
    expect(invalid.response.status).toBe(400)
    expect(await invalid.response.json()).toStrictEqual({
      error: { code: 'INVALID_INPUT', message: 'Opening data is invalid: Name is too short', issues: [{ message: 'Name is too short', path: ['name'] }] },
    })
    const nowhere = await request('/nowhere', { headers: PROBE })
    expect(nowhere.response.status).toBe(404)
    expect(await nowhere.response.json()).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'No channel is wired at /nowhere' } })
    const app = channels({ origins: ['https://app.example.com'] })
    const evil = await request('/chat/general', { headers: { ...PROBE, Origin: 'https://evil.example.com' } }, app)
    expect(evil.response.status).toBe(403)
    expect(await evil.response.json()).toStrictEqual({ error: { code: 'FORBIDDEN', message: 'Origin https://evil.example.com may not open this channel' } })
    for (const probed of [invalid, nowhere, evil]) expect(probed.forwarded).toStrictEqual([])
  })

  it.each([
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
  ] as const)('runs the authenticator on the probe request as on the upgrade: %s is %i', async (code, status) => {
    const { ChannelError } = await import('../../src/core/errors')
    const seen: (string | null)[] = []
    const app = channels({
      authenticate: async (req) => {
        seen.push(req.headers.get('cookie'))
        throw new ChannelError(code, 'No entry')
      },
    })
    const { response, forwarded } = await request('/chat/general', { headers: { ...PROBE, Cookie: 'session=s1' } }, app)
    expect(response.status).toBe(status)
    expect(await response.json()).toStrictEqual({ error: { code, message: 'No entry' } })
    expect(seen).toStrictEqual(['session=s1'])
    expect(forwarded).toStrictEqual([])
  })

  it('answers a missing binding with its 500, and an authenticator crash with Internal error', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const unbound = await channels().fetch(new Request('https://example.com/chat/general', { headers: PROBE }), {})
    expect(unbound.status).toBe(500)
    expect(((await unbound.json()) as { error: { message: string } }).error.message).toContain('bind ChannelObject as CHANNELS in wrangler.toml')
    const crashing = channels({
      authenticate: async () => {
        throw new Error('database down')
      },
    })
    const crashed = await request('/chat/general', { headers: PROBE }, crashing)
    expect(crashed.response.status).toBe(500)
    expect(await crashed.response.json()).toStrictEqual({ error: { code: 'INTERNAL', message: 'Internal error' } })
    vi.restoreAllMocks()
  })

  it('is only a GET with the probe header: anything else that is not an upgrade still gets 426', async () => {
    for (const init of [{}, { method: 'POST', headers: PROBE }, { method: 'OPTIONS' }]) {
      const { response } = await request('/chat/general', init)
      expect(response.status).toBe(426)
    }
  })

  it('lets a page on another origin read the answer: CORS headers, and its preflight answered, unknown paths included', async () => {
    const app = channels({ origins: ['https://app.example.com'] })
    const origin = { Origin: 'https://app.example.com' }
    for (const path of ['/chat/general', '/nowhere']) {
      const preflight = await request(path, { method: 'OPTIONS', headers: { ...origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'X-Pikku-Probe' } }, app)
      expect(preflight.response.status).toBe(204)
      expect(Object.fromEntries(preflight.response.headers)).toMatchObject({
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'x-pikku-probe',
        vary: 'Origin',
      })
    }
    const accepted = await request('/chat/general', { headers: { ...PROBE, ...origin } }, app)
    expect(accepted.response.status).toBe(204)
    expect(accepted.response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(accepted.response.headers.get('access-control-allow-credentials')).toBe('true')
    const missing = await request('/nowhere', { headers: { ...PROBE, ...origin } }, app)
    expect(missing.response.status).toBe(404)
    expect(missing.response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(missing.response.headers.get('content-type')).toContain('application/json')
    // A same-origin probe has no Origin, and needs no CORS headers.
    const plain = await request('/chat/general', { headers: PROBE }, app)
    expect(plain.response.headers.get('access-control-allow-origin')).toBeNull()
  })
})
