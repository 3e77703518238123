// The Worker the fault-injection run drives (test/faults/scenario.ts): publishers post
// numbered items, subscribers receive them as events, and every run of `post` is
// counted in the room's SQLite so the checker can tell an action that ran twice.
// Each connection's onConnect and onDisconnect are counted too, so the crash test
// (test/e2e/crash-recovery.test.ts) can tell a disconnect that never ran, or ran twice.
import { Hono } from 'hono'
import * as v from 'valibot'
import {
  ChannelObject,
  channels,
  pikkuChannelConnectionFunc,
  pikkuChannelDisconnectionFunc,
  pikkuChannelFunc,
  pikkuServices,
  publisher,
  wireChannel,
} from '../../../src/index'

export { ChannelObject }

const Item = v.object({ client: v.string(), n: v.pipe(v.number(), v.integer()) })

const runs = (sql: SqlStorage) => {
  sql.exec('CREATE TABLE IF NOT EXISTS fault_runs (client TEXT NOT NULL, n INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (client, n)) WITHOUT ROWID')
  return {
    count(client: string, n: number): void {
      sql.exec('INSERT INTO fault_runs (client, n, count) VALUES (?, ?, 1) ON CONFLICT (client, n) DO UPDATE SET count = count + 1', client, n)
    },
    twice(): { client: string; n: number; count: number }[] {
      return sql.exec<{ client: string; n: number; count: number }>('SELECT client, n, count FROM fault_runs WHERE count > 1 ORDER BY client, n').toArray()
    },
    total(): number {
      return sql.exec<{ total: number }>('SELECT count(*) AS total FROM fault_runs').one().total
    },
  }
}

type LifecycleRow = { channel_id: string; connects: number; disconnects: number }

const lifecycle = (sql: SqlStorage) => {
  sql.exec('CREATE TABLE IF NOT EXISTS fault_lifecycle (channel_id TEXT PRIMARY KEY, connects INTEGER NOT NULL DEFAULT 0, disconnects INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID')
  const bump = (channelId: string, column: 'connects' | 'disconnects'): void =>
    void sql.exec(`INSERT INTO fault_lifecycle (channel_id, ${column}) VALUES (?, 1) ON CONFLICT (channel_id) DO UPDATE SET ${column} = ${column} + 1`, channelId)
  return {
    connected: (channelId: string) => bump(channelId, 'connects'),
    disconnected: (channelId: string) => bump(channelId, 'disconnects'),
    rows: (): LifecycleRow[] => sql.exec<LifecycleRow>('SELECT channel_id, connects, disconnects FROM fault_lifecycle ORDER BY channel_id').toArray(),
    /** Subscription rows the EventHub still stores, by connection: what a connection that is gone must not keep. */
    subscriptions: (): { channel_id: string; topics: number }[] =>
      sql.exec<{ channel_id: string; topics: number }>('SELECT channel_id, count(*) AS topics FROM pikku_subscriptions GROUP BY channel_id ORDER BY channel_id').toArray(),
  }
}

export const createServices = pikkuServices(({ storage }) => ({ runs: runs(storage.sql), lifecycle: lifecycle(storage.sql) }))

declare module '../../../src/index' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
  }
}

const feed = wireChannel({
  name: 'feed',
  route: '/feed/:room',
  auth: false,
  // No rate limit: the run's publishers are fast on purpose.
  rateLimit: false,
  topics: { 'feed:items': { schema: Item } },
  onConnect: pikkuChannelConnectionFunc({
    func: async ({ lifecycle, channel }) => void lifecycle.connected(channel.channelId),
  }),
  onDisconnect: pikkuChannelDisconnectionFunc({
    func: async ({ lifecycle, channel }) => lifecycle.disconnected(channel.channelId),
  }),
  onMessageWiring: {
    post: pikkuChannelFunc({
      input: Item,
      func: async ({ runs, eventHub }, item) => {
        runs.count(item.client, item.n)
        return eventHub.publish('feed:items', item)
      },
    }),
    audit: pikkuChannelFunc({
      func: async ({ runs }) => ({ twice: runs.twice(), total: runs.total() }),
    }),
    lifecycle: pikkuChannelFunc({
      func: async ({ lifecycle }) => ({ connections: lifecycle.rows(), subscriptions: lifecycle.subscriptions() }),
    }),
  },
})

// Liveness on a short fuse, for test/e2e/liveness.test.ts: a socket silent for 1.5 s is closed.
wireChannel({
  name: 'pulse',
  route: '/pulse/:room',
  auth: false,
  liveness: { timeoutMs: 1_500, checkEveryMs: 500 },
  onConnect: pikkuChannelConnectionFunc({
    func: async ({ lifecycle, channel }) => void lifecycle.connected(channel.channelId),
  }),
  onDisconnect: pikkuChannelDisconnectionFunc({
    func: async ({ lifecycle, channel }) => lifecycle.disconnected(channel.channelId),
  }),
  onMessageWiring: {
    lifecycle: pikkuChannelFunc({ func: async ({ lifecycle }) => ({ connections: lifecycle.rows() }) }),
  },
})

// Beside the channels, a route that asks a room's clients to move (test/e2e/reconnect-spread.test.ts).
const app = new Hono<{ Bindings: Record<string, unknown> }>()
app.post('/move/:room', async (c) => c.json(await publisher(c.env).move(feed, { room: c.req.param('room') }, { retryAfterMs: Number(c.req.query('retryAfterMs') ?? 0) })))
app.route('/', channels())

export default app
