import { describe, expect, it } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { DEFAULT_RETRY_WINDOW_MS } from '../../../src/core/protocol/resume'
import { Connection } from '../../../src/core/runtime/connection'
import { KeptResults, MAX_KEPT_RESULT_BYTES, MemoryResultStore } from '../../../src/core/runtime/kept-results'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { connectionRecord, FakeSocket, recordingLogger } from '../support/harness'

// A client that lost its socket before the reply cannot know whether its request ran.
// With a resume token, it sends the request again with the same id, and gets the first
// answer: the handler never runs twice.

const TOKEN = 'client-0123456789abcdef'

function instance() {
  const results = new MemoryResultStore()
  const runs: string[] = []
  const gate = { open: Promise.resolve() }
  const channel = defineChannel({
    name: 'shop',
    route: '/shop',
    auth: false,
    onMessageWiring: {
      buy: pikkuChannelFunc({
        func: async (_services, data: { item: string }) => {
          runs.push(data.item)
          await gate.open
          return { order: runs.length, item: data.item }
        },
      }),
      refuse: pikkuChannelFunc({
        func: async () => {
          runs.push('refuse')
          throw new Error('out of stock')
        },
      }),
      big: pikkuChannelFunc({
        func: async () => {
          runs.push('big')
          return 'x'.repeat(MAX_KEPT_RESULT_BYTES + 1)
        },
      }),
      report: {
        func: pikkuChannelFunc({
          func: async () => {
            runs.push('report')
            return 'a report'
          },
        }),
        keepResult: false,
      },
    },
  })
  // Each wake is a fresh runtime on the same storage, as after hibernation or eviction.
  const wake = () => new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore: new MemoryHubStore(), results, channelMiddleware: [], functions: new Map() })
  let next = 0
  const open = async (runtime: ChannelRuntime, resume: string | null = TOKEN) => {
    const socket = new FakeSocket()
    const conn = new Connection(connectionRecord(channel, `c${++next}`, resume === null ? {} : { resume }), socket)
    await runtime.connect(conn)
    return { conn, socket }
  }
  const ask = async (runtime: ChannelRuntime, conn: Connection, socket: FakeSocket, action: string, id: string | number, data?: unknown) => {
    const from = socket.sent.length
    await runtime.message(conn, JSON.stringify({ action, id, data }))
    return socket.frames(from)
  }
  return { results, runs, gate, wake, open, ask }
}

describe('retries that never run twice', () => {
  it('tells a resumable connection how long answers are kept, and only such a connection', async () => {
    const { wake, open } = instance()
    const runtime = wake()
    expect((await open(runtime)).socket.frames()[0]).toMatchObject({ type: 'welcome', retryWindowMs: DEFAULT_RETRY_WINDOW_MS })
    expect((await open(runtime, null)).socket.frames()[0]).not.toHaveProperty('retryWindowMs')
  })

  it('answers a retry from the next connection, after a wake, with the first answer, and does not run it again', async () => {
    const { runs, wake, open, ask } = instance()
    const first = wake()
    const a = await open(first)
    expect(await ask(first, a.conn, a.socket, 'buy', 7, { item: 'tea' })).toStrictEqual([{ type: 'reply', action: 'buy', id: 7, data: { order: 1, item: 'tea' } }])
    await first.closed(a.conn)

    const second = wake()
    const b = await open(second)
    expect(await ask(second, b.conn, b.socket, 'buy', 7, { item: 'tea' })).toStrictEqual([{ type: 'reply', action: 'buy', id: 7, data: { order: 1, item: 'tea' } }])
    expect(runs).toStrictEqual(['tea'])

    // A new id runs; the id "7" is not the id 7; another token is another client.
    expect(await ask(second, b.conn, b.socket, 'buy', 8, { item: 'jam' })).toMatchObject([{ data: { order: 2 } }])
    expect(await ask(second, b.conn, b.socket, 'buy', '7', { item: 'cake' })).toMatchObject([{ data: { order: 3 } }])
    const other = await open(second, 'another-client-token-1')
    expect(await ask(second, other.conn, other.socket, 'buy', 7, { item: 'pie' })).toMatchObject([{ data: { order: 4 } }])
    expect(runs).toStrictEqual(['tea', 'jam', 'cake', 'pie'])
  })

  it('keeps an error as the answer too', async () => {
    const { runs, wake, open, ask } = instance()
    const runtime = wake()
    const a = await open(runtime)
    const refused = await ask(runtime, a.conn, a.socket, 'refuse', 1)
    expect(refused).toMatchObject([{ type: 'error', id: 1, error: { code: 'INTERNAL' } }])
    expect(await ask(runtime, a.conn, a.socket, 'refuse', 1)).toStrictEqual(refused)
    expect(runs).toStrictEqual(['refuse'])
  })

  it('makes a retry that arrives while the first run is still going wait for it', async () => {
    const { runs, gate, wake, open, ask } = instance()
    const runtime = wake()
    let release!: () => void
    gate.open = new Promise((resolve) => (release = resolve))
    const a = await open(runtime)
    const firstRun = ask(runtime, a.conn, a.socket, 'buy', 1, { item: 'tea' })
    // The connection drops mid-run; the client sends the request again on its next one.
    await runtime.closed(a.conn)
    const b = await open(runtime)
    const retry = ask(runtime, b.conn, b.socket, 'buy', 1, { item: 'tea' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    release()
    await firstRun
    expect(await retry).toStrictEqual([{ type: 'reply', action: 'buy', id: 1, data: { order: 1, item: 'tea' } }])
    expect(runs).toStrictEqual(['tea'])
  })

  it('keeps only that it ran for keepResult: false and for answers over 64 KiB: a retry gets RESULT_NOT_KEPT', async () => {
    const { runs, wake, open, ask } = instance()
    const runtime = wake()
    const a = await open(runtime)
    expect(await ask(runtime, a.conn, a.socket, 'report', 1)).toMatchObject([{ type: 'reply', data: 'a report' }])
    expect(await ask(runtime, a.conn, a.socket, 'report', 1)).toMatchObject([{ type: 'error', action: 'report', id: 1, error: { code: 'RESULT_NOT_KEPT' } }])
    expect(await ask(runtime, a.conn, a.socket, 'big', 2)).toMatchObject([{ type: 'reply' }])
    const [notKept] = (await ask(runtime, a.conn, a.socket, 'big', 2)) as { error: { code: string; message: string } }[]
    expect(notKept!.error.code).toBe('RESULT_NOT_KEPT')
    expect(notKept!.error.message).toContain('keepResult: false')
    expect(runs).toStrictEqual(['report', 'big'])
  })

  it('keeps nothing for a connection without a token, or a request without an id', async () => {
    const { results, runs, wake, open, ask } = instance()
    const runtime = wake()
    const plain = await open(runtime, null)
    await ask(runtime, plain.conn, plain.socket, 'buy', 1, { item: 'tea' })
    await ask(runtime, plain.conn, plain.socket, 'buy', 1, { item: 'tea' })
    const resumable = await open(runtime)
    await runtime.message(resumable.conn, JSON.stringify({ action: 'buy', data: { item: 'jam' } }))
    await runtime.message(resumable.conn, JSON.stringify({ action: 'buy', data: { item: 'jam' } }))
    expect(runs).toStrictEqual(['tea', 'tea', 'jam', 'jam'])
    expect(results.rows.size).toBe(0)
  })
})

describe('KeptResults', () => {
  it('forgets answers past the window, and prunes them from the store', async () => {
    const store = new MemoryResultStore()
    let now = 1_000_000
    const kept = new KeptResults(store, { windowMs: 10_000, now: () => now })
    kept.begin('t', 1)({ kind: 'reply', data: 'one' })
    now += 9_999
    expect(await kept.seen('t', 1)).toStrictEqual({ kind: 'reply', data: 'one' })
    now += 1
    expect(await kept.seen('t', 1)).toStrictEqual({ kind: 'reply', data: 'one' })
    now += 1
    expect(await kept.seen('t', 1)).toBeUndefined()
    // The next answer kept a minute or more after the last prune deletes what expired.
    now += 60_000
    kept.begin('t', 2)({ kind: 'reply' })
    expect([...store.rows.keys()]).toStrictEqual(['t 2'])
  })
})
