import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../../src/client/channel-client'
import { ChannelClientError } from '../../src/client/client-error'
import { PROBE_TIMEOUT_MS, probeUrl, type ProbeFetch } from '../../src/client/handshake-probe'
import type { ClientOptions } from '../../src/client/options'
import { PikkuWebSocket } from '../../src/client/pikku-websocket'
import type { ConnectionState } from '../../src/client/types'
import { appSocket, CONNECTING } from './support/app-socket'
import { fakeWebSocket } from './support/fake-websocket'
import type { clientFixtureChannel } from './support/fixture.channel'

// The handshake probe: a connection that closes (1006) before its welcome asks the server why.

const URL_ = 'wss://host/client-test-fixture/general?name=ada'
const PROBED = 'https://host/client-test-fixture/general?name=ada'

let fake: ReturnType<typeof fakeWebSocket>

beforeEach(() => {
  vi.useFakeTimers()
  fake = fakeWebSocket()
  vi.spyOn(Math, 'random').mockReturnValue(0)
  // Only the probes the tests script: never Node's own fetch.
  vi.stubGlobal('fetch', undefined)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

/** A scripted `fetch`: each call answers the next status and body (a body that is not JSON when `body` is a string). */
function scriptedFetch(...answers: ({ status: number; body?: unknown } | 'network error' | 'no answer')[]) {
  const calls: { url: string; init: Parameters<ProbeFetch>[1] }[] = []
  const probe = vi.fn<ProbeFetch>(async (url, init) => {
    calls.push({ url, init })
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!
    if (answer === 'network error') throw new TypeError('fetch failed')
    if (answer === 'no answer') return new Promise<never>(() => undefined)
    return {
      status: answer.status,
      json: async () => {
        if (typeof answer.body === 'string' || answer.body === undefined) throw new SyntaxError('not JSON')
        return answer.body
      },
    }
  })
  return { probe, calls }
}

function connect(options: ClientOptions = {}) {
  const client = createClient<typeof clientFixtureChannel>(URL_, { WebSocket: fake.WebSocket, keepaliveMs: false, reconnect: { initialDelayMs: 100, maxDelayMs: 100 }, ...options })
  const states: ConnectionState[] = []
  // What a state listener can read at the moment the client reports 'closed'.
  const atClosed: { lastClose: unknown; lastError: ChannelClientError | undefined }[] = []
  client.onStateChange((state) => {
    states.push(state)
    if (state === 'closed') atClosed.push({ lastClose: client.lastClose, lastError: client.lastError })
  })
  return { client, states, atClosed }
}

async function rejection(promise: Promise<unknown>): Promise<ChannelClientError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ChannelClientError)
  return error as ChannelClientError
}

const UNAUTHENTICATED = { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'That token does not verify' } } }

describe('a connection refused at the handshake', () => {
  it('stops with the refusal: ready(), pending requests, subscriptions and the closed state all say UNAUTHENTICATED', async () => {
    const { probe, calls } = scriptedFetch(UNAUTHENTICATED)
    const { client, states, atClosed } = connect({ probe })
    // Each promise gets its handler now: they reject while the timers run.
    const ready = rejection(client.ready())
    const pending = rejection(client.send('now'))
    const subscription = rejection(client.subscribe('room:message', () => undefined).ready)
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(0)

    expect(calls).toEqual([{ url: PROBED, init: { method: 'GET', headers: { 'x-pikku-probe': '1' }, credentials: 'include', signal: expect.any(AbortSignal) } }])
    expect(client.state).toBe('closed')
    expect(states).toEqual(['closed'])
    const message = 'The server refused the connection (401 UNAUTHENTICATED): That token does not verify'
    expect(atClosed).toEqual([{ lastClose: { code: 1006, reason: '' }, lastError: expect.objectContaining({ code: 'UNAUTHENTICATED', message }) }])
    for (const promise of [ready, pending, subscription]) {
      const error = await promise
      expect(error.code).toBe('UNAUTHENTICATED')
      expect(error.message).toBe(message)
      expect(error.details.status).toBe(401)
    }
    expect(client.lastError).toBe(await rejection(client.ready()))
    // It does not retry: the refusal would be the same every time.
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fake.sockets).toHaveLength(1)
    expect(probe).toHaveBeenCalledTimes(1)
    expect((await rejection(client.send('now'))).code).toBe('CLOSED')
  })

  it.each([
    [400, { error: { code: 'INVALID_INPUT', message: 'Opening data is invalid: Name is too short', issues: [{ message: 'Name is too short', path: ['name'] }] } }, 'INVALID_INPUT', ': Opening data is invalid: Name is too short'],
    [403, { error: { code: 'FORBIDDEN', message: 'Origin https://evil.example may not open this channel' } }, 'FORBIDDEN', ': Origin https://evil.example may not open this channel'],
    [404, { error: { code: 'NOT_FOUND', message: 'No channel is wired at /nowhere' } }, 'NOT_FOUND', ': No channel is wired at /nowhere'],
    [404, '<html>Not Found</html>', 'NOT_FOUND', ''],
    [401, { error: { code: 'SOMETHING_ELSE', message: 'odd' } }, 'UNAUTHENTICATED', ': odd'],
  ] as const)('stops on %i with the code of its body (or of its status)', async (status, body, code, detail) => {
    const { probe } = scriptedFetch({ status, body })
    const { client } = connect({ probe })
    fake.current.drop(1006)
    const error = await rejection(client.ready())
    expect(error.code).toBe(code)
    expect(error.message).toBe(`The server refused the connection (${status} ${code})${detail}`)
    expect(error.details.status).toBe(status)
    if (code === 'INVALID_INPUT') expect(error.issues).toEqual([{ message: 'Name is too short', path: ['name'] }])
    else expect(error.issues).toBeUndefined()
    expect(client.state).toBe('closed')
  })

  it("caps the server's message at 200 characters", async () => {
    const { probe } = scriptedFetch({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'x'.repeat(10_000) } } })
    const { client } = connect({ probe })
    fake.current.drop(1006)
    const error = await rejection(client.ready())
    expect(error.message).toBe(`The server refused the connection (403 FORBIDDEN): ${'x'.repeat(200)}…`)
  })

  it('uses the global fetch when no probe is given', async () => {
    const { probe, calls } = scriptedFetch(UNAUTHENTICATED)
    vi.stubGlobal('fetch', probe)
    const { client } = connect()
    fake.current.drop(1006)
    expect((await rejection(client.ready())).code).toBe('UNAUTHENTICATED')
    expect(calls.map((call) => call.url)).toEqual([PROBED])
  })

  it('maps ws: to http: for the probe', () => {
    expect(probeUrl('ws://127.0.0.1:8787/chat/a?name=b')).toBe('http://127.0.0.1:8787/chat/a?name=b')
    expect(probeUrl('wss://host/x')).toBe('https://host/x')
    expect(probeUrl('https://host/x')).toBe('https://host/x')
    expect(probeUrl('not a url')).toBeUndefined()
    expect(probeUrl('ftp://host/x')).toBeUndefined()
  })

  it('works for an adopted socket (PikkuWebSocket) that never opened', async () => {
    const { probe } = scriptedFetch(UNAUTHENTICATED)
    const socket = appSocket(fake, URL_, CONNECTING)
    const pikku = new PikkuWebSocket(socket, { keepaliveMs: false, probe })
    const sent = pikku.getRoute('client-test-fixture').send('now' as never)
    socket.drop(1006)
    expect((await rejection(sent)).code).toBe('UNAUTHENTICATED')
    expect(pikku.state).toBe('closed')
  })

  it('with reconnect: false, still says why', async () => {
    const { probe } = scriptedFetch(UNAUTHENTICATED)
    const { client } = connect({ probe, reconnect: false })
    fake.current.drop(1006)
    expect((await rejection(client.ready())).code).toBe('UNAUTHENTICATED')
  })
})

describe('when the probe learns nothing final, the client keeps its backoff', () => {
  it.each([
    ['204 (the upgrade would be accepted)', { status: 204 }],
    ['426 (a router that does not know probes)', { status: 426, body: { error: { code: 'UPGRADE_REQUIRED', message: 'connect with a GET' } } }],
    ['500', { status: 500, body: { error: { code: 'INTERNAL', message: 'no binding' } } }],
    ['503', { status: 503, body: { error: { code: 'CHANNEL_FULL', message: 'full' } } }],
    ['a network error', 'network error'],
  ] as const)('%s', async (_what, answer) => {
    const { probe } = scriptedFetch(answer)
    const { client, states } = connect({ probe })
    const ready = client.ready()
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    expect(probe).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(2)
    expect(states).not.toContain('closed')
    fake.current.welcome({ ok: true })
    await expect(ready).resolves.toEqual({ ok: true })
  })

  it('a probe with no answer in time counts as none', async () => {
    const { probe } = scriptedFetch('no answer')
    const { client } = connect({ probe })
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS - 1)
    expect(fake.sockets).toHaveLength(1)
    expect(probe.mock.calls[0]![1].signal!.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(probe.mock.calls[0]![1].signal!.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(2)
    expect(client.state).toBe('connecting')
  })

  it('with reconnect: false, a probe that learns nothing closes with CLOSED as before', async () => {
    const { probe } = scriptedFetch({ status: 204 })
    const { client } = connect({ probe, reconnect: false })
    fake.current.drop(1006)
    const error = await rejection(client.ready())
    expect(error.code).toBe('CLOSED')
    expect(error.message).toBe('The server closed the connection (1006)')
  })
})

describe('when the client probes', () => {
  it('only for a 1006 before this attempt’s welcome: not after a welcome, not for other codes', async () => {
    const { probe } = scriptedFetch(UNAUTHENTICATED)
    const { client } = connect({ probe })
    fake.current.welcome()
    fake.current.drop(1006) // dropped after its welcome: the network, not a refusal
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(2)
    fake.current.drop(1011) // before the welcome, but a close frame came
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(3)
    expect(probe).not.toHaveBeenCalled()
    fake.current.drop(1006) // this attempt had no welcome: probe
    await vi.advanceTimersByTimeAsync(0)
    expect(probe).toHaveBeenCalledTimes(1)
    expect(client.state).toBe('closed')
  })

  it('never with probe: false, nor where there is no fetch', async () => {
    const { probe } = scriptedFetch(UNAUTHENTICATED)
    vi.stubGlobal('fetch', probe)
    const off = connect({ probe: false })
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(2)
    expect(off.client.state).toBe('connecting')
    off.client.close()
    vi.stubGlobal('fetch', undefined)
    const none = connect()
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(100)
    expect(fake.sockets).toHaveLength(4)
    expect(none.client.state).toBe('connecting')
    none.client.close()
    expect(probe).not.toHaveBeenCalled()
  })

  it('close() while a probe is out wins: CLOSED, and the late answer changes nothing', async () => {
    let answer!: (value: Awaited<ReturnType<ProbeFetch>>) => void
    const probe = vi.fn<ProbeFetch>(() => new Promise((resolve) => (answer = resolve)))
    const { client, states } = connect({ probe })
    const ready = rejection(client.ready())
    fake.current.drop(1006)
    await vi.advanceTimersByTimeAsync(0)
    client.close()
    answer({ status: 401, json: async () => UNAUTHENTICATED.body })
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await ready).code).toBe('CLOSED')
    expect(client.lastError?.code).toBe('CLOSED')
    expect(states).toEqual(['closed'])
    expect(fake.sockets).toHaveLength(1)
  })
})
