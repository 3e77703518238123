import { types } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { ChannelServices } from '../../../src/core/types'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { openChannel } from '../support/harness'

// A Worker that never imported its services module: the shell tells the runtime, and reading a service says so.

const missingService = (key: string) => new Error(`services.${key} was read, but no services were registered`)
const seen: { services?: ChannelServices } = {}

const actions = {
  // Seed-style: a handler destructuring a service the app meant to register.
  count: pikkuChannelFunc({ func: async (services) => (services as ChannelServices & { db: { count(): number } }).db.count() }),
  // Only what every connection has: the logger, channel, eventHub, rpc, userSession.
  builtIns: pikkuChannelFunc({
    func: async (services) => {
      seen.services = services
      const { logger, channel, eventHub, rpc, userSession, setSession } = services
      await Promise.resolve(services) // `await` reads `then`: not a service
      return [logger, channel, eventHub, rpc, userSession, setSession].every((value) => value !== undefined) && JSON.stringify({ id: channel.channelId }) !== ''
    },
  }),
}

describe('services when none were registered', () => {
  it('a handler reading a service fails naming it: the client gets INTERNAL, the log says what to do', async () => {
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: actions }, { missingService })
    expect(await send({ action: 'count', id: 1 })).toStrictEqual([{ type: 'error', action: 'count', id: 1, error: { code: 'INTERNAL', message: 'Internal error' } }])
    const failed = logger.entries.find((entry) => entry.message === 'channel.handler_failed')
    expect((failed?.fields?.error as Error).message).toBe('services.db was read, but no services were registered')
  })

  it('everything a connection always has still reads as before', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions }, { missingService })
    expect(await send({ action: 'builtIns', id: 1 })).toStrictEqual([{ type: 'reply', action: 'builtIns', id: 1, data: true }])
    expect(types.isProxy(seen.services)).toBe(true)
  })

  it('with services registered, services are a plain object and a missing key is undefined', async () => {
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: actions }, { services: { other: 1 } })
    expect(await send({ action: 'builtIns', id: 1 })).toStrictEqual([{ type: 'reply', action: 'builtIns', id: 1, data: true }])
    expect(types.isProxy(seen.services)).toBe(false)
    expect((seen.services as unknown as Record<string, unknown>).db).toBeUndefined()
    await send({ action: 'count', id: 2 })
    expect(String((logger.entries.find((entry) => entry.message === 'channel.handler_failed')?.fields?.error as Error).message)).toContain("reading 'count'")
  })
})
