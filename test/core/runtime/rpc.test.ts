import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import type { Interaction, Services, Wire } from '../../../src/core/types'
import { pikkuFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { wireRPC } from '../../../src/core/wiring/wire'
import { openChannel } from '../support/harness'
import { SESSION_REQUIRED } from '../../../src/core/runtime/call'

const seen: string[] = []

const functions = wireRPC({
  double: pikkuSessionlessFunc({ input: v.object({ n: v.number() }), func: async (_services, { n }) => n * 2 }),
  secret: pikkuFunc({ func: async (_services, _data, wire) => `for ${wire.session.userId}` }),
  guarded: pikkuSessionlessFunc({ permissions: { never: async () => false }, func: async () => 'unreachable' }),
  audited: pikkuSessionlessFunc({
    middleware: [
      async (_services, _interaction, next) => {
        seen.push('rpc middleware')
        await next()
      },
    ],
    func: async () => 'audited',
  }),
})

/** A channel whose `call` action forwards `{ name, input }` to services.rpc.invoke. */
const channel = {
  auth: false,
  onMessageWiring: {
    call: async ({ rpc }: Services, { name, input }: { name: string; input: unknown }) => rpc.invoke(name, input),
    login: async (_services: Services, _data: unknown, wire: Wire) => wire.setSession({ userId: 'ada' }),
  },
}

const call = (id: number, name: string, input?: unknown) => ({ action: 'call', id, data: { name, input } })
const error = (id: number, code: string, message: string) => ({ type: 'error', action: 'call', id, error: { code, message } })

describe('services.rpc.invoke', () => {
  it('returns what the invoked function returns', async () => {
    const { send } = await openChannel(channel, { functions })
    expect(await send(call(1, 'double', { n: 21 }))).toStrictEqual([{ type: 'reply', action: 'call', id: 1, data: 42 }])
  })

  it("applies the invoked function's input validation", async () => {
    const { send } = await openChannel(channel, { functions })
    expect(await send(call(1, 'double', { n: 'two' }))).toStrictEqual([
      {
        type: 'error',
        action: 'call',
        id: 1,
        error: {
          code: 'INVALID_INPUT',
          message: 'Input is invalid: Invalid type: Expected number but received "two"',
          issues: [{ message: 'Invalid type: Expected number but received "two"', path: ['n'] }],
        },
      },
    ])
  })

  it("applies the invoked function's auth, with the caller's session", async () => {
    const { send } = await openChannel(channel, { functions })
    expect(await send(call(1, 'secret'))).toStrictEqual([error(1, 'UNAUTHENTICATED', SESSION_REQUIRED)])
    await send({ action: 'login' })
    expect(await send(call(2, 'secret'))).toStrictEqual([{ type: 'reply', action: 'call', id: 2, data: 'for ada' }])
  })

  it("applies the invoked function's permissions", async () => {
    const { send } = await openChannel(channel, { functions })
    expect(await send(call(1, 'guarded'))).toStrictEqual([error(1, 'FORBIDDEN', 'Not permitted')])
  })

  it("runs the invoked function's middleware", async () => {
    const { send } = await openChannel(channel, { functions })
    seen.length = 0
    expect(await send(call(1, 'audited'))).toStrictEqual([{ type: 'reply', action: 'call', id: 1, data: 'audited' }])
    expect(seen).toStrictEqual(['rpc middleware'])
  })

  it("shows the invoked function's middleware an rpc interaction, from onConnect as from a message", async () => {
    const interactions: Interaction[] = []
    const watched = {
      watched: pikkuSessionlessFunc({
        middleware: [
          async (_services: Services, interaction: Interaction, next: () => Promise<void>) => {
            interactions.push(interaction)
            await next()
          },
        ],
        func: async () => 'ok',
      }),
    }
    const { send, conn } = await openChannel({ ...channel, onConnect: async ({ rpc }: Services) => rpc.invoke('watched' as never, {} as never) }, { functions: watched })
    await send(call(1, 'watched'))
    const expected = { kind: 'rpc', channel: 'test', route: '/test', channelId: conn.record.channelId, action: 'watched' }
    expect(interactions).toStrictEqual([expected, expected])
  })

  it('answers INTERNAL for an unknown name and logs which one', async () => {
    const { send, logger } = await openChannel(channel, { functions })
    expect(await send(call(1, 'missing'))).toStrictEqual([error(1, 'INTERNAL', 'Internal error')])
    expect((logger.entries[0]!.fields!.error as Error).message).toBe('rpc.invoke: no function named "missing"; register it with wireRPC')
  })

  it('returns the map it was given', () => {
    expect(Object.keys(functions)).toStrictEqual(['double', 'secret', 'guarded', 'audited'])
  })
})
