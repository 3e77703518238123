// The Worker the fault-injection run drives (test/faults/scenario.ts): publishers post
// numbered items, subscribers receive them as events, and every run of `post` is
// counted in the room's SQLite so the checker can tell an action that ran twice.
import * as v from 'valibot'
import { ChannelObject, channels, pikkuChannelFunc, pikkuServices, wireChannel } from '../../../src/index'

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

export const createServices = pikkuServices(({ storage }) => ({ runs: runs(storage.sql) }))

declare module '../../../src/index' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
  }
}

wireChannel({
  name: 'feed',
  route: '/feed/:room',
  auth: false,
  // No rate limit: the run's publishers are fast on purpose.
  rateLimit: false,
  topics: { 'feed:items': { schema: Item } },
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
  },
})

export default channels()
