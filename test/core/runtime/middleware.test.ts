import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../../src/core/errors'
import { pikkuMiddleware, runMiddleware } from '../../../src/core/runtime/middleware'
import type { Interaction, Services } from '../../../src/core/types'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import type { PikkuMiddleware } from '../../../src/core/types'
import { openChannel } from '../support/harness'

/** A middleware that records when it enters and leaves. */
const tracing = (log: string[], name: string): PikkuMiddleware =>
  pikkuMiddleware(async (_services, _interaction, next) => {
    log.push(`${name}:before`)
    await next()
    log.push(`${name}:after`)
  })

const interaction: Interaction = { kind: 'message', channel: 'test', route: '/test', channelId: 'c1' }

describe('runMiddleware', () => {
  it('runs middleware outermost first around the handler', async () => {
    const log: string[] = []
    await runMiddleware([tracing(log, 'a'), tracing(log, 'b')], {} as Services, interaction, async () => void log.push('handler'))
    expect(log).toStrictEqual(['a:before', 'b:before', 'handler', 'b:after', 'a:after'])
  })

  it('skips the handler when a middleware does not call next', async () => {
    const log: string[] = []
    await runMiddleware([async () => void log.push('stop')], {} as Services, interaction, async () => void log.push('handler'))
    expect(log).toStrictEqual(['stop'])
  })

  it('rejects a second call to next', async () => {
    const twice: PikkuMiddleware = async (_services, _interaction, next) => {
      await next()
      await next()
    }
    await expect(runMiddleware([twice], {} as Services, interaction, async () => {})).rejects.toThrow('middleware called next() more than once')
  })
})

describe('middleware on a channel', () => {
  it('runs channel, then wiring, then function middleware around the action', async () => {
    const log: string[] = []
    const create = pikkuChannelFunc({ middleware: [tracing(log, 'function')], func: async () => void log.push('handler') })
    const { send } = await openChannel({
      auth: false,
      middleware: [tracing(log, 'channel')],
      onMessageWiring: { create: { func: create, middleware: [tracing(log, 'wiring')] } },
    })
    expect(await send({ action: 'create', id: 1 })).toStrictEqual([{ type: 'reply', action: 'create', id: 1 }])
    expect(log).toStrictEqual(['channel:before', 'wiring:before', 'function:before', 'handler', 'function:after', 'wiring:after', 'channel:after'])
  })

  it('tells middleware what it wraps', async () => {
    const seen: Interaction[] = []
    const spy: PikkuMiddleware = async (_services, interaction, next) => {
      seen.push(interaction)
      await next()
    }
    const { send, runtime, conn } = await openChannel({
      name: 'room',
      route: '/room/:id',
      auth: false,
      middleware: [spy],
      onConnect: async () => {},
      onDisconnect: async () => {},
      onMessageWiring: { create: async () => 1 },
    })
    await send({ action: 'create' })
    await runtime.closed(conn)
    const base = { channel: 'room', route: '/room/:id', channelId: 'conn-1' }
    expect(seen).toStrictEqual([
      { kind: 'connect', ...base, action: undefined },
      { kind: 'message', ...base, action: 'create' },
      { kind: 'disconnect', ...base, action: undefined },
    ])
  })

  it('turns an error thrown in middleware into the error frame, without running the action', async () => {
    const log: string[] = []
    const gate: PikkuMiddleware = async () => {
      throw new ChannelError('RATE_LIMITED', 'Slow down')
    }
    const { send } = await openChannel({ auth: false, middleware: [gate], onMessageWiring: { create: async () => void log.push('handler') } })
    expect(await send({ action: 'create', id: 1 })).toStrictEqual([
      { type: 'error', action: 'create', id: 1, error: { code: 'RATE_LIMITED', message: 'Slow down' } },
    ])
    expect(log).toStrictEqual([])
  })

  it('hides an unexpected middleware error as INTERNAL', async () => {
    const broken: PikkuMiddleware = async () => {
      throw new TypeError('oops')
    }
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: { create: { func: async () => 1, middleware: [broken] } } })
    expect(await send({ action: 'create', id: 1 })).toStrictEqual([
      { type: 'error', action: 'create', id: 1, error: { code: 'INTERNAL', message: 'Internal error' } },
    ])
    expect(logger.entries).toHaveLength(1)
  })

  it('sees errors from the action, so it can observe failures', async () => {
    const caught: string[] = []
    const observe: PikkuMiddleware = async (_services, _interaction, next) => {
      try {
        await next()
      } catch (error) {
        caught.push((error as Error).message)
        throw error
      }
    }
    const { send } = await openChannel({
      auth: false,
      middleware: [observe],
      onMessageWiring: {
        fail: async () => {
          throw new ChannelError('FORBIDDEN', 'No')
        },
      },
    })
    expect(await send({ action: 'fail', id: 1 })).toStrictEqual([{ type: 'error', action: 'fail', id: 1, error: { code: 'FORBIDDEN', message: 'No' } }])
    expect(caught).toStrictEqual(['No'])
  })
})
