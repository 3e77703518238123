import * as v from 'valibot'
import { channels, pikkuChannelFunc, wireChannel, type AppSession } from 'pikku-durable-channels'

export { ChannelObject } from 'pikku-durable-channels'

const Payload = v.object({ payload: v.string(), sentAt: v.number(), n: v.number() })

/** `?user=<id>` places a connection (the router hashes the upgrade session's userId), so the load can fill each shard exactly. */
const authenticate = async (request: Request) => {
  const user = new URL(request.url).searchParams.get('user')
  return user ? ({ userId: user } as AppSession) : undefined
}

const room = (name: string, route: string, shards: number) =>
  wireChannel({
    name,
    route,
    auth: false,
    rateLimit: false,
    shards,
    authenticate,
    topics: { fanout: { replay: false } },
    onMessageWiring: { pub: pikkuChannelFunc({ input: Payload, func: async ({ eventHub }, data) => eventHub.publish('fanout', data) }) },
  })

// bench/shards.mjs: one room spread over 4 objects, and the same room on one.
room('benchSharded', '/sharded/:room', 4)
room('benchSingle', '/single/:room', 1)

export default channels()
