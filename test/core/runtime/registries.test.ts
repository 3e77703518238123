import { describe, expect, it } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { pikkuChannelMiddleware } from '../../../src/core/runtime/channel-middleware'
import { Connection } from '../../../src/core/runtime/connection'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import type { Services } from '../../../src/core/types'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { Registry, registry } from '../../../src/core/wiring/registry'
import { connectionRecord, FakeSocket, recordingLogger } from '../support/harness'

/** One app's wiring, in a registry of its own: the same channel, its own tagged middleware and rpc function. */
function app(name: string) {
  const own = new Registry()
  const channel = defineChannel({
    name: 'chat',
    route: '/chat',
    auth: false,
    tags: ['audited'],
    onMessageWiring: { greet: async ({ rpc }: Services) => rpc.invoke('greeting' as never, {} as never) },
  })
  own.addChannel(channel)
  own.addFunction('greeting', pikkuSessionlessFunc({ func: async () => `hello from ${name}` }))
  own.addChannelMiddleware('audited', [pikkuChannelMiddleware(async (_services, event, next) => next({ ...event, by: name }))])
  const runtime = new ChannelRuntime(channel, { logger: recordingLogger() }, {
    hubStore: new MemoryHubStore(),
    channelMiddleware: own.channelMiddlewareFor(channel),
    functions: own.functions,
  })
  return { own, channel, runtime }
}

async function greet(runtime: ChannelRuntime, channel: ReturnType<typeof app>['channel']): Promise<unknown[]> {
  const socket = new FakeSocket()
  const conn = new Connection(connectionRecord(channel, crypto.randomUUID()), socket)
  await runtime.connect(conn)
  await runtime.message(conn, JSON.stringify({ action: 'greet', id: 1 }))
  return socket.frames(1)
}

describe('a runtime is built from what it is given, never from the global registry', () => {
  it('two runtimes from two registries, side by side, each use their own middleware and functions', async () => {
    const a = app('a')
    const b = app('b')
    expect(await greet(a.runtime, a.channel)).toStrictEqual([{ type: 'reply', action: 'greet', id: 1, data: 'hello from a', by: 'a' }])
    expect(await greet(b.runtime, b.channel)).toStrictEqual([{ type: 'reply', action: 'greet', id: 1, data: 'hello from b', by: 'b' }])
    // Neither touched the isolate's registry.
    expect(registry.channels.size).toBe(0)
    expect(registry.functions.size).toBe(0)
  })
})
