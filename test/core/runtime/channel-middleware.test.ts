import { describe, expect, it } from 'vitest'
import { pikkuChannelMiddleware, runChannelMiddleware } from '../../../src/core/runtime/channel-middleware'
import type { ChannelEvent, ChannelServices } from '../../../src/core/types'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { openChannel } from '../support/harness'

const services = {} as ChannelServices
const message = (data: unknown): ChannelEvent => ({ type: 'message', data })

describe('runChannelMiddleware', () => {
  it('passes an event through unchanged when every middleware calls next(event)', async () => {
    const pass = pikkuChannelMiddleware(async (_s, event, next) => next(event))
    expect(await runChannelMiddleware([pass, pass], services, message(1))).toEqual([message(1)])
  })

  it('transforms, in order', async () => {
    const add = (n: number) => pikkuChannelMiddleware(async (_s, event, next) => next({ ...event, data: [...event.data, n] }))
    expect(await runChannelMiddleware([add(1), add(2)], services, message([]))).toEqual([message([1, 2])])
  })

  it('drops with next(null), and when next is never called', async () => {
    expect(await runChannelMiddleware([pikkuChannelMiddleware(async (_s, _e, next) => next(null))], services, message(1))).toEqual([])
    expect(await runChannelMiddleware([pikkuChannelMiddleware(async () => {})], services, message(1))).toEqual([])
  })

  it('fans out with next([a, b]); each continues through the rest of the chain', async () => {
    const split = pikkuChannelMiddleware(async (_s, event, next) => next([event, message('copy')]))
    const tag = pikkuChannelMiddleware(async (_s, event, next) => next({ ...event, tagged: true }))
    expect(await runChannelMiddleware([split, tag], services, message('original'))).toEqual([
      { type: 'message', data: 'original', tagged: true },
      { type: 'message', data: 'copy', tagged: true },
    ])
  })

  it('refuses a second next()', async () => {
    const twice = pikkuChannelMiddleware(async (_s, event, next) => {
      await next(event)
      await next(event)
    })
    await expect(runChannelMiddleware([twice], services, message(1))).rejects.toThrow('channel middleware called next() more than once')
  })
})

describe('channel middleware in the runtime', () => {
  it('keeps frames in order when a middleware is slow for some of them', async () => {
    // The first message waits; the second must still arrive after it, and the reply last.
    const slowFirst = pikkuChannelMiddleware(async (_s, event, next) => {
      if (event.data === 'first') await new Promise((resolve) => setTimeout(resolve, 30))
      await next(event)
    })
    const { send } = await openChannel({
      auth: false,
      channelMiddleware: [slowFirst],
      onMessageWiring: {
        both: pikkuChannelFunc({
          func: async ({ channel }) => {
            void channel.send('first')
            void channel.send('second')
            return 'done'
          },
        }),
      },
    })
    expect(await send({ action: 'both', id: 1 })).toEqual([
      { type: 'message', data: 'first' },
      { type: 'message', data: 'second' },
      { type: 'reply', action: 'both', id: 1, data: 'done' },
    ])
  })

  it('keeps error frames behind queued ones', async () => {
    const slow = pikkuChannelMiddleware(async (_s, event, next) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      await next(event)
    })
    const { send } = await openChannel({
      auth: false,
      channelMiddleware: [slow],
      onMessageWiring: {
        sendThenFail: pikkuChannelFunc({
          func: async ({ channel }) => {
            void channel.send('before the error')
            throw new Error('nope')
          },
        }),
      },
    })
    expect(await send({ action: 'sendThenFail', id: 2 })).toEqual([
      { type: 'message', data: 'before the error' },
      { type: 'error', action: 'sendThenFail', id: 2, error: { code: 'INTERNAL', message: 'Internal error' } },
    ])
  })

  it('answers a reply whose middleware throws with INTERNAL, and logs it', async () => {
    const broken = pikkuChannelMiddleware(async () => {
      throw new Error('middleware bug')
    })
    const { send, logger } = await openChannel({ auth: false, channelMiddleware: [broken], onMessageWiring: { echo: async (_s: unknown, d: unknown) => d } })
    expect(await send({ action: 'echo', id: 3, data: 1 })).toEqual([{ type: 'error', action: 'echo', id: 3, error: { code: 'INTERNAL', message: 'Internal error' } }])
    expect(logger.entries[0]?.fields?.error).toMatchObject({ message: 'middleware bug' })
  })

  it('puts what onConnect sent through it, after the welcome', async () => {
    const upper = pikkuChannelMiddleware(async (_s, event, next) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      await next({ ...event, data: String(event.data).toUpperCase() })
    })
    const { socket } = await openChannel({
      channelMiddleware: [upper],
      onConnect: async ({ channel }: ChannelServices) => {
        void channel.send('hello')
        return 'hi'
      },
    })
    expect(socket.frames()).toEqual([{ type: 'welcome', channelId: 'conn-1', data: 'hi' }, { type: 'message', data: 'HELLO' }])
  })
})
