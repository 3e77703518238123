import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { readLifecycle } from './fixture/lifecycle-log'
import { eventually, instance, TestSocket } from './support/test-socket'

const room = () => `r${crypto.randomUUID().slice(0, 8)}`

async function lifecycleOf(channel: string, path: string) {
  return runInDurableObject(instance(channel, path), (_object, state) => readLifecycle(state.storage.sql))
}

describe('connect', () => {
  it('sends welcome first, with what onConnect returned, then what onConnect sent', async () => {
    const r = room()
    const socket = await TestSocket.open(`/lab/${r}`)
    const welcome = await socket.next()
    expect(welcome).toEqual({ type: 'welcome', channelId: expect.any(String), data: { hello: r } })
    expect(await socket.next()).toEqual({ type: 'message', data: { early: true } })
    expect(await lifecycleOf('lab', `/lab/${r}`)).toEqual([{ kind: 'connect', channelId: (welcome as any).channelId }])
  })

  it('gives every connection its own channel id', async () => {
    const r = room()
    const a = await TestSocket.join(`/lab/${r}`)
    const b = await TestSocket.join(`/lab/${r}`)
    expect(a.welcome.channelId).not.toBe(b.welcome.channelId)
  })
})

describe('onDisconnect runs exactly once', () => {
  it('when the client closes, and the close is answered', async () => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}`)
    socket.ws.close(1000, 'done')
    expect(await socket.closeInfo()).toEqual({ code: 1000, reason: 'done' })
    await eventually(async () => (await lifecycleOf('lab', `/lab/${r}`)).length === 2)
    expect(await lifecycleOf('lab', `/lab/${r}`)).toEqual([
      { kind: 'connect', channelId: welcome.channelId },
      { kind: 'disconnect', channelId: welcome.channelId },
    ])
  })

  it('when the server closes with channel.close(code, reason), and the client sees that code', async () => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}`)
    socket.send({ action: 'kick', id: 1, data: { code: 4000, reason: 'bye now' } })
    expect(await socket.closeInfo()).toEqual({ code: 4000, reason: 'bye now' })
    await eventually(async () => (await lifecycleOf('lab', `/lab/${r}`)).length >= 2)
    // Give a late webSocketClose a chance to run it twice.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await lifecycleOf('lab', `/lab/${r}`)).filter((e) => e.kind === 'disconnect')).toEqual([{ kind: 'disconnect', channelId: welcome.channelId }])
  })

  it.each([1001, 4000])('when the client closes with %i: the server answers with the same code', async (code) => {
    const r = room()
    const { socket } = await TestSocket.join(`/lab/${r}`)
    socket.ws.close(code, 'leaving')
    expect(await socket.closeInfo()).toEqual({ code, reason: 'leaving' })
    await eventually(async () => (await lifecycleOf('lab', `/lab/${r}`)).some((e) => e.kind === 'disconnect'))
  })

  it('when the client closes without a code (1005): the close is answered, or the client would wait forever', async () => {
    const r = room()
    const { socket } = await TestSocket.join(`/lab/${r}`)
    socket.ws.close()
    expect(await socket.closeInfo()).toEqual({ code: 1000, reason: '' })
    await eventually(async () => (await lifecycleOf('lab', `/lab/${r}`)).filter((e) => e.kind === 'disconnect').length === 1)
  })

  it.each([1006, 1015])('when the connection ends with %i (no close frame): nothing is sent back, onDisconnect runs once', async (code) => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}`)
    await runInDurableObject(instance('lab', `/lab/${r}`), async (object, state) => {
      const [ws] = state.getWebSockets()
      const close = vi.spyOn(ws!, 'close')
      await object.webSocketClose(ws!, code, '')
      expect(close).not.toHaveBeenCalled()
    })
    const events = await lifecycleOf('lab', `/lab/${r}`)
    expect(events.filter((e) => e.kind === 'disconnect')).toEqual([{ kind: 'disconnect', channelId: welcome.channelId }])
    socket.ws.close()
  })

  it('when the socket errors, and not again when it then closes', async () => {
    const r = room()
    const { socket, welcome } = await TestSocket.join(`/lab/${r}`)
    await runInDurableObject(instance('lab', `/lab/${r}`), async (object, state) => {
      const [ws] = state.getWebSockets()
      await object.webSocketError(ws!, new Error('connection reset'))
      await object.webSocketClose(ws!, 1006, '')
    })
    const events = await lifecycleOf('lab', `/lab/${r}`)
    expect(events.filter((e) => e.kind === 'disconnect')).toEqual([{ kind: 'disconnect', channelId: welcome.channelId }])
    socket.ws.close()
  })

  it('after onConnect closed the connection itself: no welcome, the code it chose', async () => {
    const socket = await TestSocket.open(`/gate/close`)
    expect(await socket.closeInfo()).toEqual({ code: 4001, reason: 'not today' })
    expect(socket.frames).toEqual([])
    await eventually(async () => (await lifecycleOf('gate', '/gate/close')).some((e) => e.kind === 'disconnect'))
    const events = await lifecycleOf('gate', '/gate/close')
    expect(events.filter((e) => e.kind === 'disconnect').length).toBe(events.filter((e) => e.kind === 'connect').length)
  })
})

describe('a failing onConnect', () => {
  it('closes with 1011, sends no welcome and runs no onDisconnect', async () => {
    const socket = await TestSocket.open(`/gate/throw`)
    expect(await socket.closeInfo()).toEqual({ code: 1011, reason: 'Internal error' })
    expect(socket.frames).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await lifecycleOf('gate', '/gate/throw')).filter((e) => e.kind === 'disconnect')).toEqual([])
  })

  it('closes with 4401 when it rejects the caller as unauthenticated', async () => {
    const socket = await TestSocket.open(`/gate/unauth`)
    expect(await socket.closeInfo()).toEqual({ code: 4401, reason: 'Who are you?' })
  })
})

describe('after a crash: connections whose sockets are gone', () => {
  /** A connection the ledger holds but no socket carries: what a process that died with its sockets leaves behind. */
  function plantGhost(state: DurableObjectState, path: string, channelId: string) {
    const record = { channelId, channel: 'lab', path, openingData: { room: path.slice(5) }, state: 'open', limits: { maxMessageSize: 1024, rateLimit: false, maxConnections: 10 } }
    state.storage.sql.exec('INSERT INTO pikku_connections (channel_id, channel, record) VALUES (?, ?, ?)', channelId, 'lab', JSON.stringify(record))
    state.storage.sql.exec("INSERT INTO pikku_subscriptions (topic, channel_id, delivery) VALUES ('lab:ghostly', ?, 'event')", channelId)
  }

  const ledgerIds = (path: string) =>
    runInDurableObject(instance('lab', path), (_object, state) =>
      state.storage.sql.exec<{ channel_id: string }>('SELECT channel_id FROM pikku_connections ORDER BY channel_id').toArray().map((row) => row.channel_id),
    )

  it('get onDisconnect once, on the first event of the next wake, and lose their subscriptions; live ones are untouched', async () => {
    const r = room()
    const path = `/lab/${r}`
    const a = await TestSocket.join(path)
    const b = await TestSocket.join(path)
    expect(await ledgerIds(path)).toStrictEqual([a.welcome.channelId, b.welcome.channelId].sort())
    await runInDurableObject(instance('lab', path), (_object, state) => {
      plantGhost(state, path, 'ghost-1')
      plantGhost(state, path, 'ghost-2')
    })
    await evictDurableObject(instance('lab', path))

    // Any event wakes it: a message from a live connection.
    expect((await a.socket.call('echo', 'hi')).data).toBe('hi')
    const disconnects = (await lifecycleOf('lab', path)).filter((e) => e.kind === 'disconnect').map((e) => e.channelId)
    expect(disconnects.sort()).toStrictEqual(['ghost-1', 'ghost-2'])
    expect(await ledgerIds(path)).toStrictEqual([a.welcome.channelId, b.welcome.channelId].sort())
    const ghostRows = await runInDurableObject(instance('lab', path), (_object, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pikku_subscriptions WHERE channel_id LIKE 'ghost-%'").one().n,
    )
    expect(ghostRows).toBe(0)

    // Once per wake: more events, and another wake, change nothing.
    expect((await b.socket.call('echo', 'hi')).data).toBe('hi')
    await evictDurableObject(instance('lab', path))
    expect((await b.socket.call('echo', 'hi')).data).toBe('hi')
    expect((await lifecycleOf('lab', path)).filter((e) => e.kind === 'disconnect')).toHaveLength(2)
  })

  it('a connection that closes after an eviction disconnects once and leaves the ledger', async () => {
    const r = room()
    const path = `/lab/${r}`
    const { socket, welcome } = await TestSocket.join(path)
    await evictDurableObject(instance('lab', path))
    socket.ws.close(1000, 'bye')
    await socket.closeInfo()
    await eventually(async () => (await lifecycleOf('lab', path)).some((e) => e.kind === 'disconnect'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await lifecycleOf('lab', path)).filter((e) => e.kind === 'disconnect')).toEqual([{ kind: 'disconnect', channelId: welcome.channelId }])
    expect(await ledgerIds(path)).toStrictEqual([])
  })
})
