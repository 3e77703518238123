import { afterEach, describe, expect, inject, test } from 'vitest'
import { httpGet, randomRoom, sleep, TestClient, wsUrl, type Frame } from './support/client'
import { DevServer, logMark } from './support/dev-server'

// The reference chat app under a real `wrangler dev` (started by global-setup.ts).

const baseUrl = inject('baseUrl')
const devServerLog = inject('devServerLog')

interface ChatMessage {
  id: number
  author: string
  text: string
  at: number
}

/** Everything a test opened, closed after it whatever happened. */
const opened: TestClient[] = []

afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.close()))
})

async function join(room: string, name?: string, base = baseUrl): Promise<{ client: TestClient; welcome: Frame }> {
  const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`
  const joined = await TestClient.connect(wsUrl(base, `/chat/${room}${query}`))
  opened.push(joined.client)
  return joined
}

async function history(client: TestClient, limit?: number): Promise<ChatMessage[]> {
  const { messages } = await client.call<{ messages: ChatMessage[] }>('history', limit === undefined ? {} : { limit })
  return messages
}

/** Long enough for any frame the server was going to send to have arrived. */
const SETTLE_MS = 300

describe('chat over wrangler dev', () => {
  test('welcome names the room and the name, anonymous by default', async () => {
    const room = randomRoom('welcome')
    const { welcome: named } = await join(room, 'Ada')
    expect(named).toEqual({ type: 'welcome', channelId: expect.any(String), data: { room, name: 'Ada' } })
    const { welcome: anonymous } = await join(room)
    expect(anonymous.data).toEqual({ room, name: 'anonymous' })
    expect(anonymous.channelId).not.toBe(named.channelId)
  })

  test('rooms are isolated: history and frames stay in their own room', async () => {
    const roomA = randomRoom('room-a')
    const roomB = randomRoom('room-b')
    const { client: a } = await join(roomA, 'alice')
    const { client: b } = await join(roomB, 'bob')

    const sent: ChatMessage[] = []
    for (const text of ['one', 'two', 'three']) sent.push(await a.call<ChatMessage>('send', { text }))
    expect(sent.map((m) => [m.author, m.text])).toEqual([['alice', 'one'], ['alice', 'two'], ['alice', 'three']])
    await sleep(SETTLE_MS)
    // B saw its welcome and nothing else.
    expect(b.frames.map((f) => f.type)).toEqual(['welcome'])
    expect(b.strays).toEqual([])

    expect(await history(b)).toEqual([])
    const own = await b.call<ChatMessage>('send', { text: 'only in b' })
    expect(await history(b)).toEqual([own])
    expect(await history(a)).toEqual(sent)
    // A got exactly the replies to its own requests.
    expect(a.frames.map((f) => f.type)).toEqual(['welcome', 'reply', 'reply', 'reply', 'reply'])
  })

  test('a message reaches everyone else in the room as an event; a client back with since gets what it missed', async () => {
    const room = randomRoom('events')
    const { client: alice } = await join(room, 'alice')
    const { client: bob } = await join(room, 'bob')
    const first = await alice.call<ChatMessage>('send', { text: 'hello bob' })
    const seen = await bob.waitFor((f) => f.type === 'event')
    expect(seen).toEqual({ type: 'event', topic: 'chat:message', data: first, seq: expect.any(Number) })
    await sleep(SETTLE_MS)
    expect(alice.frames.filter((f) => f.type === 'event')).toEqual([]) // the sender has its reply

    await bob.close()
    const missed = [await alice.call<ChatMessage>('send', { text: 'are you there?' }), await alice.call<ChatMessage>('send', { text: 'bob?' })]
    const { client: back } = await join(room, 'bob')
    // Subscribed again by onConnect; resuming from the last seq seen replays the rest once, in order.
    const reply = await back.request('$subscribe', { topic: 'chat:message', since: seen.seq })
    expect(reply.data).toEqual({ topic: 'chat:message', seq: expect.any(Number), replayed: 2 })
    expect(back.frames.filter((f) => f.type === 'event').map((f) => f.data)).toEqual(missed)
  })

  test('replies correlate with their requests when many are in flight', async () => {
    const room = randomRoom('flight')
    const { client } = await join(room, 'juggler')
    const frames: { action: string; id: string | number; data: unknown }[] = []
    for (let i = 0; i < 20; i++) {
      // Mixed string and number ids, including 5 and "5": an id is echoed with its type.
      const id = i === 10 ? '5' : i % 2 === 0 ? i / 2 + 1 : `s-${i}`
      frames.push(i % 3 === 2 ? { action: 'history', id, data: { limit: 100 } } : { action: 'send', id, data: { text: `message ${i} from ${String(id)}` } })
    }
    const mark = client.frames.length
    for (const frame of frames) client.sendRaw(JSON.stringify(frame))

    const deadline = Date.now() + 10_000
    const answers = () => client.frames.slice(mark).filter((f) => f.type === 'reply' || f.type === 'error')
    while (answers().length < frames.length && Date.now() < deadline) await sleep(20)
    await sleep(SETTLE_MS)
    const got = answers()
    expect(got).toHaveLength(frames.length)

    for (const frame of frames) {
      const matching = got.filter((answer) => answer.id === frame.id)
      expect(matching, `answers for id ${JSON.stringify(frame.id)}`).toHaveLength(1)
      const answer = matching[0]!
      expect(answer.type).toBe('reply')
      expect(answer.action).toBe(frame.action)
      if (frame.action === 'send') {
        expect(answer.data).toMatchObject({ author: 'juggler', text: (frame.data as { text: string }).text })
      } else {
        expect(Array.isArray(answer.data.messages)).toBe(true)
      }
    }

    // Every send was stored once, in order of arrival.
    const sends = frames.filter((f) => f.action === 'send')
    const stored = await history(client, 100)
    expect(stored.map((m) => m.text)).toEqual(sends.map((f) => (f.data as { text: string }).text))
    expect(new Set(stored.map((m) => m.id)).size).toBe(sends.length)
  })

  test('handshake rejections are real HTTP statuses with JSON bodies', async () => {
    const plain = await httpGet(`${baseUrl}/chat/general`)
    expect(plain.status).toBe(426)
    expect(plain.json).toEqual({ error: { code: 'UPGRADE_REQUIRED', message: expect.stringContaining('WebSocket') } })

    const unknown = await httpGet(`${baseUrl}/nope/x`, { upgrade: true })
    expect(unknown.status).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/application\/json/)
    expect(unknown.json).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('/nope/x') } })
    expect((await httpGet(`${baseUrl}/nope/x`)).status).toBe(404)

    const badRoom = await httpGet(`${baseUrl}/chat/BAD%20ROOM`, { upgrade: true })
    expect(badRoom.status).toBe(400)
    expect(badRoom.headers['content-type']).toMatch(/application\/json/)
    expect(badRoom.json.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Room names') })
    expect(badRoom.json.error.issues).toContainEqual({ message: expect.stringContaining('Room names'), path: ['room'] })

    const longName = await httpGet(`${baseUrl}/chat/${randomRoom('names')}?name=${'x'.repeat(33)}`, { upgrade: true })
    expect(longName.status).toBe(400)
    expect(longName.json.error.issues).toContainEqual({ message: expect.any(String), path: ['name'] })

    // A WebSocket client sees the same refusal, and a good upgrade is accepted.
    await expect(TestClient.connect(wsUrl(baseUrl, '/chat/BAD%20ROOM'))).rejects.toMatchObject({ status: 400 })
    expect((await httpGet(`${baseUrl}/chat/${randomRoom('ok')}`, { upgrade: true })).status).toBe(101)
  })

  test('bad frames get error codes, keep the socket open and reach nobody else', async () => {
    const room = randomRoom('bad')
    const { client } = await join(room, 'mallory')
    const { client: bystander } = await join(room, 'bystander')

    const errorAfter = async (raw: string | Buffer) => client.waitFor((f) => f.type === 'error', { after: client.sendRaw(raw) })

    expect((await errorAfter('this is not json')).error).toMatchObject({ code: 'BAD_MESSAGE' })
    expect((await errorAfter('[1, 2, 3]')).error).toMatchObject({ code: 'BAD_MESSAGE' })
    expect(await errorAfter('{"id":"no-action"}')).toMatchObject({ id: 'no-action', error: { code: 'BAD_MESSAGE' } })
    expect((await errorAfter(Buffer.from([1, 2, 3]))).error).toMatchObject({ code: 'BINARY_NOT_SUPPORTED' })

    expect(await client.request('shout', { text: 'hi' }, 'u1')).toMatchObject({ type: 'error', action: 'shout', id: 'u1', error: { code: 'UNKNOWN_ACTION' } })
    expect(await client.request('$nope', undefined, 2)).toMatchObject({ type: 'error', id: 2, error: { code: 'UNKNOWN_ACTION' } })

    const wrongType = await client.request('send', { text: 42 }, 'v1')
    expect(wrongType).toMatchObject({ type: 'error', action: 'send', id: 'v1', error: { code: 'INVALID_INPUT' } })
    expect(wrongType.error!.issues).toContainEqual(expect.objectContaining({ path: ['text'] }))
    const blank = await client.request('send', { text: '   ' })
    expect(blank.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Say something') })
    expect((await client.request('history', { limit: 0 })).error).toMatchObject({ code: 'INVALID_INPUT' })
    expect((await client.request('send', { text: 'x'.repeat(501) })).error).toMatchObject({ code: 'INVALID_INPUT' })
    const huge = await errorAfter(JSON.stringify({ action: 'send', data: { text: 'x'.repeat(1024 * 1024) } }))
    expect(huge.error).toMatchObject({ code: 'TOO_LARGE' })

    // No error leaks internals.
    for (const frame of client.frames) expect(JSON.stringify(frame)).not.toMatch(/\bat \S+:\d+|\.ts\b|stack/i)

    // Same socket, still working; the flat form (no `data`) works too.
    const ok = await client.call<ChatMessage>('send', { text: 'still here' })
    expect(ok).toMatchObject({ author: 'mallory', text: 'still here' })
    const flat = await client.waitFor((f) => f.id === 'flat', { after: client.sendRaw(JSON.stringify({ action: 'send', id: 'flat', text: 'flat form' })) })
    expect(flat).toMatchObject({ type: 'reply', data: { text: 'flat form' } })

    await sleep(SETTLE_MS)
    // The bystander saw the two good messages, as events, and nothing of the bad frames.
    expect(bystander.frames.map((f) => [f.type, f.data?.text])).toEqual([['welcome', undefined], ['event', 'still here'], ['event', 'flat form']])
    expect(bystander.strays).toEqual([])
    expect((await history(bystander)).map((m) => m.text)).toEqual(['still here', 'flat form'])
  })
})

describe('history is durable', () => {
  test('a new connection gets the room history', async () => {
    const room = randomRoom('again')
    const { client: first } = await join(room, 'first')
    const sent = [await first.call<ChatMessage>('send', { text: 'hello' }), await first.call<ChatMessage>('send', { text: 'world' })]
    await first.close()

    const { client: second } = await join(room, 'second')
    expect(await history(second)).toEqual(sent)
    expect(await history(second, 1)).toEqual([sent[1]])
  })

  test('a socket kept open across hibernation still works, with its opening data and the history', async () => {
    const room = randomRoom('sleepy')
    const { client } = await join(room, 'dormouse')
    const before = await client.call<ChatMessage>('send', { text: 'before the nap' })

    // Under wrangler dev an idle object hibernates after about 10 s; nothing on this socket keeps it awake.
    const napStart = Date.now()
    const serverSaid = logMark(devServerLog)
    await sleep(12_000)
    if (client.closeEvent) {
      const { code, reason, at } = client.closeEvent
      const said = serverSaid()
      const reloaded = /Reloading local server|Build failed/.test(said) ? ' wrangler dev reloaded the Worker meanwhile (were src/ or worker/ edited during the run?).' : ''
      expect.fail(`the socket closed ${at - napStart} ms into the nap with ${code} "${reason}".${reloaded}\nwrangler dev said:\n${said}`)
    }

    const after = await client.call<ChatMessage>('send', { text: 'after the nap' })
    // The author comes from the opening data in the socket attachment: it survived the wake.
    expect(after).toMatchObject({ author: 'dormouse', text: 'after the nap' })
    expect(after.id).toBeGreaterThan(before.id)
    expect(await history(client)).toEqual([before, after])
    expect(client.frames.filter((f) => f.type === 'error')).toEqual([])
  }, 30_000)

  describe('across a wrangler dev restart', () => {
    // Its own server and persist dir, so the shared one keeps running for the other tests.
    const server = new DevServer()

    test('history is still there after a restart on the same port and persist dir', async () => {
      try {
        await server.start()
        const room = randomRoom('restart')
        const { client } = await join(room, 'phoenix', server.baseUrl)
        const sent = [await client.call<ChatMessage>('send', { text: 'before restart 1' }), await client.call<ChatMessage>('send', { text: 'before restart 2' })]

        const port = server.port
        // A hard kill: what was acknowledged must already be on disk.
        await server.stop('SIGKILL')
        const { code } = await Promise.race([client.closed, sleep(5_000).then(() => ({ code: -1 }))])
        expect(code, 'the socket should drop when the server dies').not.toBe(-1)

        await server.start()
        expect(server.port).toBe(port)
        const { client: again } = await join(room, 'phoenix', server.baseUrl)
        expect(await history(again)).toEqual(sent)
        const next = await again.call<ChatMessage>('send', { text: 'after restart' })
        expect(next.id).toBeGreaterThan(sent[1]!.id)
      } finally {
        await server.dispose()
      }
    }, 90_000)
  })
})
