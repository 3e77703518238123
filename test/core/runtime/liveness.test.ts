import { describe, expect, it } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { DEFAULT_LIVENESS_TIMEOUT_MS, livenessOf } from '../../../src/core/liveness'
import { Connection } from '../../../src/core/runtime/connection'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { connectionRecord, FakeSocket, recordingLogger } from '../support/harness'

describe('livenessOf', () => {
  it('defaults to 90 s, checked every 30 s; false turns it off; bad values fail at wiring time', () => {
    expect(livenessOf(undefined, 'c')).toStrictEqual({ timeoutMs: DEFAULT_LIVENESS_TIMEOUT_MS, checkEveryMs: 30_000, saveSeenEveryMs: 15_000 })
    expect(livenessOf({ timeoutMs: 600, checkEveryMs: 5_000 }, 'c')).toStrictEqual({ timeoutMs: 600, checkEveryMs: 5_000, saveSeenEveryMs: 100 })
    expect(livenessOf(false, 'c')).toBeUndefined()
    for (const bad of [true, 5, { timeoutMs: 50 }, { timeoutMs: '9' }, { checkEveryMs: Number.NaN }]) expect(() => livenessOf(bad, 'channel "c"')).toThrow(/channel "c": liveness/)
  })
})

describe('ChannelRuntime.closeSilent', () => {
  it('closes connections silent past the limit with 4408, once, running onDisconnect; counts the others', async () => {
    const disconnected: string[] = []
    const channel = defineChannel({
      name: 'room',
      route: '/room',
      auth: false,
      liveness: { timeoutMs: 1_000 },
      onDisconnect: async ({ channel }) => void disconnected.push(channel.channelId),
    })
    const runtime = new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore: new MemoryHubStore(), channelMiddleware: [], functions: new Map() })
    const open = async (id: string, seenAt: number) => {
      const socket = new FakeSocket()
      const conn = new Connection(connectionRecord(channel, id), socket)
      await runtime.connect(conn)
      conn.record.seenAt = seenAt
      return { conn, socket }
    }
    const now = 10_000
    const quiet = await open('quiet', now - 1_001)
    const messaged = await open('messaged', now - 1_000)
    const pinged = await open('pinged', now - 5_000)
    const entries = [
      { conn: quiet.conn, autoResponseAt: undefined },
      { conn: messaged.conn, autoResponseAt: undefined },
      { conn: pinged.conn, autoResponseAt: now - 10 },
    ]
    expect(await runtime.closeSilent(entries, now)).toBe(2)
    expect(quiet.socket.closes).toStrictEqual([{ code: 4408, reason: 'No keepalive or message for 1000 ms' }])
    expect(disconnected).toStrictEqual(['quiet'])
    // A second look at the same moment closes nothing again.
    expect(await runtime.closeSilent(entries, now)).toBe(2)
    expect(disconnected).toStrictEqual(['quiet'])
    expect(messaged.socket.closes).toStrictEqual([])
    expect(pinged.socket.closes).toStrictEqual([])
  })

  it('keeps when a connection was last heard from in its attachment, saving it at most every sixth of the timeout', async () => {
    const channel = defineChannel({ name: 'room', route: '/room', auth: false, liveness: { timeoutMs: 60_000 }, onMessageWiring: { hi: async () => 'hi' } })
    const runtime = new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore: new MemoryHubStore(), channelMiddleware: [], functions: new Map() })
    const socket = new FakeSocket()
    const conn = new Connection(connectionRecord(channel, 'c'), socket)
    await runtime.connect(conn)
    expect(socket.saved.at(-1)?.seenAt).toBeTypeOf('number')
    const saves = socket.saved.length
    await runtime.message(conn, '{"action":"hi"}')
    expect(socket.saved).toHaveLength(saves)
    conn.record.seenAt = Date.now() - 10_001
    await runtime.message(conn, '{"action":"hi"}')
    expect(socket.saved).toHaveLength(saves + 1)
    expect(Date.now() - socket.saved.at(-1)!.seenAt!).toBeLessThan(1_000)
  })
})
