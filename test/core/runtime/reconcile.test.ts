import { describe, expect, it } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { Connection } from '../../../src/core/runtime/connection'
import { MemoryConnectionLedger, type ConnectionLedger } from '../../../src/core/runtime/connection-ledger'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import type { ChannelServices } from '../../../src/core/types'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { connectionRecord, FakeSocket, recordingLogger } from '../support/harness'

// A process that dies (kill -9, a deploy, a crash) takes its sockets with it:
// no close event ever comes. The ledger is how the next wake finds them.

/** One instance's durable state, and a way to start its runtime afresh on it, as a woken object does. */
function instanceState() {
  const ledger = new MemoryConnectionLedger()
  const hubStore = new MemoryHubStore()
  const disconnects: { channelId: string; session: unknown; openingData: unknown }[] = []
  /** Sockets still there after a "crash": what getWebSockets() would return. */
  const live = new Map<string, Connection>()
  const control = { hang: false }
  const channel = defineChannel({
    name: 'room',
    route: '/room/:id',
    auth: false,
    topics: { left: {} },
    onDisconnect: async ({ channel, eventHub }: ChannelServices) => {
      if (control.hang) return new Promise<void>(() => {})
      disconnects.push({ channelId: channel.channelId, session: undefined, openingData: channel.openingData })
      channel.send('never arrives')
      await eventHub.publish('left' as never, channel.channelId as never)
    },
    onMessageWiring: {
      login: pikkuChannelFunc({ func: async (_services, data: { user: string }, wire) => wire.setSession(data) }),
      whoami: pikkuChannelFunc({ func: async (_services, _data, wire) => wire.session }),
    },
  })
  const wake = () => {
    const logger = recordingLogger()
    const runtime = new ChannelRuntime(channel, { logger }, { hubStore, ledger, channelMiddleware: [], functions: new Map(), findConnection: (id) => live.get(id) })
    return { runtime, logger }
  }
  const open = async (runtime: ChannelRuntime, channelId: string) => {
    const socket = new FakeSocket()
    const conn = new Connection(connectionRecord(channel, channelId, { openingData: { id: channelId } }), socket)
    await runtime.connect(conn)
    live.set(channelId, conn)
    return { conn, socket }
  }
  /** The process dies: only the sockets in `survivors` are still there. */
  const crash = (survivors: string[]) => {
    for (const id of live.keys()) if (!survivors.includes(id)) live.delete(id)
  }
  return { ledger, hubStore, disconnects, control, live, wake, open, crash }
}

describe('the connection ledger', () => {
  it('holds a connection from the moment it opens until its onDisconnect ran', async () => {
    const state = instanceState()
    const { runtime } = state.wake()
    const { conn } = await state.open(runtime, 'c1')
    expect(state.ledger.openIds('room')).toStrictEqual(['c1'])
    await runtime.closed(conn)
    expect(state.disconnects.map((d) => d.channelId)).toStrictEqual(['c1'])
    expect(state.ledger.openIds('room')).toStrictEqual([])
  })

  it('keeps the latest session', async () => {
    const state = instanceState()
    const { runtime } = state.wake()
    const { conn } = await state.open(runtime, 'c1')
    await runtime.message(conn, JSON.stringify({ action: 'login', id: 1, data: { user: 'ada' } }))
    expect(state.ledger.record('c1')?.session).toStrictEqual({ user: 'ada' })
  })

  it('holds nothing for a connection whose onConnect failed', async () => {
    const state = instanceState()
    const failing = new ChannelRuntime(
      defineChannel({ name: 'room', route: '/room/:id', auth: false, onConnect: async () => Promise.reject(new Error('no')) }),
      { logger: recordingLogger() },
      { hubStore: state.hubStore, ledger: state.ledger, channelMiddleware: [], functions: new Map() },
    )
    await failing.connect(new Connection(connectionRecord(failing.channel, 'c9'), new FakeSocket()))
    expect(state.ledger.openIds('room')).toStrictEqual([])
  })
})

describe('the ledger of a channel without onDisconnect', () => {
  /** A ledger that counts its writes: a connection that needs no record must cost none. */
  function countingLedger() {
    const ledger = new MemoryConnectionLedger()
    const writes: string[] = []
    const counted: ConnectionLedger = {
      opened: (record) => (writes.push(`opened ${record.channelId}`), ledger.opened(record)),
      closed: (channelId) => (writes.push(`closed ${channelId}`), ledger.closed(channelId)),
      openIds: (channel) => ledger.openIds(channel),
      record: (channelId) => ledger.record(channelId),
    }
    return { ledger, writes, counted }
  }

  it('writes nothing for a connection that never subscribes, and keeps one that does from its first stored subscription until it disconnects', async () => {
    const { ledger, writes, counted } = countingLedger()
    const hubStore = new MemoryHubStore()
    const channel = defineChannel({ name: 'quiet', route: '/quiet', auth: false, topics: { news: {} }, onMessageWiring: {} })
    const wake = () => new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore, ledger: counted, channelMiddleware: [], functions: new Map() })
    const runtime = wake()
    const idle = new Connection(connectionRecord(channel, 'idle'), new FakeSocket())
    const reader = new Connection(connectionRecord(channel, 'reader'), new FakeSocket())
    await runtime.connect(idle)
    await runtime.connect(reader)
    await runtime.message(idle, JSON.stringify({ action: 'login', id: 1 }))
    expect(writes).toStrictEqual([])

    const subscribe = (topic: string) => runtime.message(reader, JSON.stringify({ action: '$subscribe', id: topic, data: { topic } }))
    await subscribe('news')
    await subscribe('news')
    await subscribe('news:*')
    // One record, at the first stored subscription; the attachment says so.
    expect(writes).toStrictEqual(['opened reader'])
    expect(reader.record.ledgered).toBe(true)

    await runtime.closed(idle)
    expect(writes).toStrictEqual(['opened reader'])

    // A crash: the reader's socket is gone; the next wake releases its subscriptions and its record.
    const after = wake()
    expect(await after.reconcile(() => false)).toBe(1)
    expect(hubStore.countSubscriptions()).toBe(0)
    expect(ledger.openIds('quiet')).toStrictEqual([])
  })

  it('takes a subscribed connection off the ledger when it closes, with its subscriptions', async () => {
    const { ledger, writes, counted } = countingLedger()
    const hubStore = new MemoryHubStore()
    const channel = defineChannel({ name: 'quiet', route: '/quiet', auth: false, topics: { news: {} }, onMessageWiring: {} })
    const runtime = new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore, ledger: counted, channelMiddleware: [], functions: new Map() })
    const reader = new Connection(connectionRecord(channel, 'reader'), new FakeSocket())
    await runtime.connect(reader)
    await runtime.message(reader, JSON.stringify({ action: '$subscribe', id: 1, data: { topic: 'news' } }))
    await runtime.closed(reader)
    expect(writes).toStrictEqual(['opened reader', 'closed reader'])
    expect(ledger.openIds('quiet')).toStrictEqual([])
    expect(hubStore.countSubscriptions()).toBe(0)
  })

  it('keeps nothing for a connection whose onConnect subscribed and then failed, and runs no onDisconnect for one that died in its onConnect', async () => {
    const ledger = new MemoryConnectionLedger()
    const hubStore = new MemoryHubStore()
    const disconnected: string[] = []
    const mode = { fail: true, hang: false }
    const channel = defineChannel({
      name: 'eager',
      route: '/eager',
      auth: false,
      topics: { news: {} },
      onConnect: async ({ eventHub, channel }: ChannelServices) => {
        await eventHub.subscribe('news' as never, channel.channelId)
        if (mode.hang) return new Promise<void>(() => {})
        if (mode.fail) throw new Error('no')
      },
      onDisconnect: async ({ channel }: ChannelServices) => void disconnected.push(channel.channelId),
    })
    const wake = () => new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore, ledger, channelMiddleware: [], functions: new Map() })
    await wake().connect(new Connection(connectionRecord(channel, 'failed'), new FakeSocket()))
    expect(ledger.openIds('eager')).toStrictEqual([])
    expect(hubStore.countSubscriptions()).toBe(0)

    // The process dies while onConnect runs: on record (it subscribed), never connected.
    mode.fail = false
    mode.hang = true
    void wake().connect(new Connection(connectionRecord(channel, 'dying'), new FakeSocket()))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(ledger.record('dying')?.state).toBe('initial')
    expect(await wake().reconcile(() => false)).toBe(1)
    expect(disconnected).toStrictEqual([])
    expect(ledger.openIds('eager')).toStrictEqual([])
    expect(hubStore.countSubscriptions()).toBe(0)
  })
})

describe('reconcile after a crash', () => {
  it('disconnects, once, the connections whose sockets are gone, and releases their subscriptions', async () => {
    const state = instanceState()
    const before = state.wake()
    for (const id of ['c1', 'c2', 'c3']) {
      const { conn } = await state.open(before.runtime, id)
      await before.runtime.message(conn, JSON.stringify({ action: '$subscribe', id: 1, data: { topic: 'left' } }))
    }
    await before.runtime.message((await state.open(before.runtime, 'c4')).conn, JSON.stringify({ action: 'login', id: 1, data: { user: 'grace' } }))
    expect(state.hubStore.countSubscriptions()).toBe(3)

    // The process dies: no close events. The next wake starts from storage alone.
    state.crash(['c2'])
    const after = state.wake()
    expect(await after.runtime.reconcile((id) => state.live.has(id))).toBe(3)
    expect(state.disconnects.map((d) => d.channelId).sort()).toStrictEqual(['c1', 'c3', 'c4'])
    expect(state.disconnects.find((d) => d.channelId === 'c1')?.openingData).toStrictEqual({ id: 'c1' })
    expect(state.ledger.openIds('room')).toStrictEqual(['c2'])
    expect(state.hubStore.countSubscriptions()).toBe(1)
    expect(state.hubStore.hasSubscription('left', 'c2')).toBe(true)
    expect(after.logger.entries).toContainEqual({ level: 'info', message: 'channel.reconciled', fields: { channel: 'room', disconnected: 3 } })

    // Once per wake, and never twice for a connection: a late close event changes nothing.
    expect(await after.runtime.reconcile(() => false)).toBe(0)
    const late = new Connection({ ...connectionRecord(after.runtime.channel, 'c1'), state: 'open' }, new FakeSocket())
    await after.runtime.closed(late)
    const next = state.wake()
    expect(await next.runtime.reconcile((id) => state.live.has(id))).toBe(0)
    expect(state.disconnects).toHaveLength(3)
  })

  it('runs onDisconnect again on the next wake if the process died while it ran', async () => {
    const state = instanceState()
    await state.open(state.wake().runtime, 'c1')
    state.crash([])
    // The next wake's onDisconnect never finishes: the process dies again under it.
    state.control.hang = true
    void state.wake().runtime.reconcile(() => false)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(state.ledger.openIds('room')).toStrictEqual(['c1'])
    state.control.hang = false
    expect(await state.wake().runtime.reconcile(() => false)).toBe(1)
    expect(state.disconnects.map((d) => d.channelId)).toStrictEqual(['c1'])
    expect(state.ledger.openIds('room')).toStrictEqual([])
  })

  it('needs a ledger: without one there is nothing to reconcile', async () => {
    const runtime = new ChannelRuntime(defineChannel({ name: 'room', route: '/room', auth: false }), { logger: recordingLogger() }, { hubStore: new MemoryHubStore(), channelMiddleware: [], functions: new Map() })
    expect(await runtime.reconcile(() => false)).toBe(0)
  })
})
