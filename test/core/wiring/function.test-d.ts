import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import type { InputOf, OutputOf, PikkuFunction, AppSession, ChannelState } from '../../../src/core/types'
import { pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc, pikkuFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { wireChannel } from '../../../src/core/wiring/wire'

describe('pikkuChannelFunc', () => {
  it('infers the data type from a valibot input schema', () => {
    const send = pikkuChannelFunc({
      input: v.object({ text: v.string(), count: v.optional(v.number(), 1) }),
      func: async (_services, data) => {
        expectTypeOf(data).toEqualTypeOf<{ text: string; count: number }>()
        return data.text.length
      },
    })
    expectTypeOf<InputOf<typeof send>>().toEqualTypeOf<{ text: string; count: number }>()
  })

  it('infers the output type from an output schema', () => {
    const count = pikkuChannelFunc({
      input: v.object({ text: v.string() }),
      output: v.object({ length: v.number() }),
      func: async (_services, { text }) => ({ length: text.length }),
    })
    expectTypeOf(count).toEqualTypeOf<PikkuFunction<{ text: string }, { length: number }, 'channel'>>()
  })

  it('infers the output type from the handler without an input schema', () => {
    const now = pikkuChannelFunc({ func: async () => 42 })
    expectTypeOf<OutputOf<typeof now>>().toEqualTypeOf<number>()
  })

  it('takes input, output and opening data types as explicit generics', () => {
    const post = pikkuChannelFunc<{ message: string }, { received: boolean }, { room?: string }>({
      func: async ({ channel }, data) => {
        expectTypeOf(data).toEqualTypeOf<{ message: string }>()
        expectTypeOf(channel.openingData).toEqualTypeOf<{ room?: string }>()
        expectTypeOf(channel.state).toEqualTypeOf<ChannelState>()
        return { received: true }
      },
    })
    expectTypeOf<OutputOf<typeof post>>().toEqualTypeOf<{ received: boolean }>()
  })

  it('rejects a wrong return type', () => {
    pikkuChannelFunc<{ message: string }, { received: boolean }>({
      // @ts-expect-error received must be a boolean
      func: async () => ({ received: 'yes' }),
    })
  })

  it('rejects reading a property the input does not have', () => {
    pikkuChannelFunc({
      input: v.object({ message: v.string() }),
      // @ts-expect-error "text" is not in the input
      func: async (_services, data) => data.text,
    })
  })

  it('infers the output type with an input schema while using services.channel', () => {
    // channel.send takes any value, so a destructured channel does not pin the output type to unknown.
    const list = pikkuChannelFunc({
      input: v.object({ limit: v.optional(v.number(), 50) }),
      func: async ({ channel }, { limit }) => ({ limit, id: channel.channelId }),
    })
    expectTypeOf<OutputOf<typeof list>>().toEqualTypeOf<{ limit: number; id: string }>()
  })

  it('rejects an output schema that transforms', () => {
    pikkuChannelFunc({
      // @ts-expect-error the handler's result would not be what the client gets
      output: v.pipe(v.string(), v.transform((s) => s.length)),
      // @ts-expect-error (the same mistake, seen from the handler: a string is not the schema's number)
      func: async () => 'text',
    })
  })
})

describe('sessions', () => {
  it('gives pikkuFunc a session that is always there', () => {
    pikkuFunc({
      func: async (_services, _data, wire) => {
        expectTypeOf(wire.session).toEqualTypeOf<AppSession>()
      },
    })
  })

  it('gives pikkuSessionlessFunc a session that may be missing', () => {
    pikkuSessionlessFunc({
      func: async (_services, _data, wire) => {
        expectTypeOf(wire.session).toEqualTypeOf<AppSession | undefined>()
      },
    })
  })

  it('types the channel function kinds as sessionless', () => {
    pikkuChannelFunc({
      func: async (_services, _data, wire) => {
        expectTypeOf(wire.session).toEqualTypeOf<AppSession | undefined>()
      },
    })
  })
})

describe('services', () => {
  it('makes services.channel optional outside the channel kinds', () => {
    pikkuSessionlessFunc({
      func: async ({ channel }) => {
        expectTypeOf(channel).toBeNullable()
      },
    })
  })

  it('gives the connection and disconnection kinds the channel and its opening data', () => {
    const connect = pikkuChannelConnectionFunc<{ greeting: string }, { room: string }>({
      func: async ({ channel }, data) => {
        expectTypeOf(channel.openingData).toEqualTypeOf<{ room: string }>()
        expectTypeOf(data).toEqualTypeOf<{ room: string }>()
        return { greeting: `welcome to ${channel.openingData.room}` }
      },
    })
    expectTypeOf(connect).toEqualTypeOf<PikkuFunction<{ room: string }, { greeting: string }, 'connect'>>()
    pikkuChannelDisconnectionFunc<{ room: string }>({
      func: async ({ channel }) => {
        expectTypeOf(channel.openingData.room).toEqualTypeOf<string>()
      },
    })
  })
})

describe('a channel wired without a route', () => {
  it('has the route /<name> in its type', () => {
    const todos = wireChannel({ name: 'todos-typed', onMessageWiring: {} })
    expectTypeOf<NonNullable<(typeof todos)['~types']>['route']>().toEqualTypeOf<'/todos-typed'>()
  })
})
