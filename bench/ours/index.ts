import * as v from 'valibot'
import { ChannelObject, channels, pikkuChannelFunc, wireChannel } from 'pikku-durable-channels'

/**
 * Counters on the hot paths, to show with numbers rather than by reading the
 * code what a message and a publish cost in storage statements and socket lookups.
 */
export const counters = { sqlStatements: 0, sqlWrites: 0, fullSocketScans: 0, taggedLookups: 0 }

const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i

/** The library's object with its storage and socket lookups counted (the bench build only). */
export class BenchChannelObject extends ChannelObject {
  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    const sql = ctx.storage.sql
    const exec = sql.exec.bind(sql)
    Object.defineProperty(sql, 'exec', {
      value: (query: string, ...bindings: unknown[]) => {
        counters.sqlStatements++
        if (WRITE.test(query)) counters.sqlWrites++
        return exec(query, ...bindings)
      },
    })
    const getWebSockets = ctx.getWebSockets.bind(ctx)
    Object.defineProperty(ctx, 'getWebSockets', {
      value: (tag?: string) => {
        if (tag === undefined) counters.fullSocketScans++
        else counters.taggedLookups++
        return getWebSockets(tag)
      },
    })
    super(ctx, env)
  }
}

const Payload = v.object({ payload: v.string(), sentAt: v.optional(v.number()), n: v.optional(v.number()) })

const benchActions = {
  echo: pikkuChannelFunc({ input: Payload, func: async (_services, data) => data }),
  pub: pikkuChannelFunc({ input: Payload, func: async ({ eventHub }, data) => eventHub.publish('fanout', data) }),
  stats: pikkuChannelFunc({ func: async () => ({ ...counters }) }),
}

// The reference code path with the library's defaults: action routing, valibot validation, the
// reply; an EventHub publish to a topic with the default replay log. The rate limit is the one
// setting raised, to 1,000,000 a second, so that the load generator is never refused.
wireChannel({
  name: 'bench',
  route: '/bench/:room',
  auth: false,
  rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
  topics: { fanout: {} },
  onMessageWiring: benchActions,
})

// The same, tuned the ways a user may choose: no rate limit, and no replay log on the fan-out topic.
wireChannel({
  name: 'benchTuned',
  route: '/bench-tuned/:room',
  auth: false,
  rateLimit: false,
  topics: { fanout: { replay: false } },
  onMessageWiring: benchActions,
})

// A channel with an onDisconnect: a connection is then on the
// ledger of open connections from its welcome (one write), and off it after its disconnect (one more).
wireChannel({
  name: 'benchLifecycle',
  route: '/bench-lifecycle/:room',
  auth: false,
  rateLimit: false,
  onDisconnect: async () => {},
  onMessageWiring: {},
})

// Presence (bench/presence.mjs): a room at the default large-room threshold (1,000 members are
// counts plus a sample), one that keeps full joins and leaves at that size, and the naive baseline:
// every join and leave published as an event to everyone.
wireChannel({ name: 'benchPresence', route: '/bench-presence/:room', auth: false, rateLimit: false, presence: true })
wireChannel({ name: 'benchPresenceFull', route: '/bench-presence-full/:room', auth: false, rateLimit: false, presence: { largeRoom: 5000 } })
wireChannel({
  name: 'benchNaive',
  route: '/bench-naive/:room',
  auth: false,
  rateLimit: false,
  topics: { joins: { replay: false } },
  onConnect: async ({ eventHub, channel }) => {
    await eventHub.subscribe('joins')
    await eventHub.publish('joins', { joined: channel.channelId })
  },
  onDisconnect: async ({ eventHub, channel }) => {
    await eventHub.publish('joins', { left: channel.channelId })
  },
  onMessageWiring: {},
})

export default channels()
