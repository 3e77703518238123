import { describe, expectTypeOf, it } from 'vitest'
import { createClient } from '../../src/client/channel-client'
import { ChannelClientError, type ClientErrorCode } from '../../src/client/client-error'
import type { TopicsOf } from '../../src/client/index'
import type { Subscription } from '../../src/client/subscriptions'
import type { ActionsOf, EventMeta } from '../../src/client/types'
import type { ErrorCode } from '../../src/core/protocol/frames'
import type { optionalInputChannel } from './support/fixture.channel'
import type { clientFixtureChannel, clientFixtureKeyedChannel, presenceFixtureChannel } from './support/fixture.channel'
import type { PresenceView } from '../../src/client/presence'
import type { PresenceDataOf } from '../../src/client/types'
import { fakeWebSocket } from './support/fake-websocket'

const { WebSocket } = fakeWebSocket()
const client = createClient<typeof clientFixtureChannel>('wss://host/client-test-fixture/general', { WebSocket })
const keyed = createClient<typeof clientFixtureKeyedChannel>('wss://host/client-test-fixture-keyed/general', { WebSocket })

describe('ActionsOf / TopicsOf', () => {
  it('lists the actions of the flat wiring shape with wire input and output', () => {
    type Actions = ActionsOf<typeof clientFixtureChannel>
    expectTypeOf<keyof Actions>().toEqualTypeOf<'post' | 'now' | 'rename' | 'shout'>()
    expectTypeOf<Actions['post']['input']>().toEqualTypeOf<{ text: string; priority?: number | undefined }>()
    expectTypeOf<Actions['post']['output']>().toEqualTypeOf<{ id: number; text: string }>()
    expectTypeOf<Actions['rename']['input']>().toEqualTypeOf<{ name: string }>()
    expectTypeOf<Actions['rename']['output']>().toEqualTypeOf<{ renamed: string }>()
    expectTypeOf<Actions['shout']['output']>().toEqualTypeOf<string>()
  })

  it('lists the actions of the keyed wiring shape (the routing key is not an action)', () => {
    type Actions = ActionsOf<typeof clientFixtureKeyedChannel>
    expectTypeOf<keyof Actions>().toEqualTypeOf<'join' | 'leave'>()
    expectTypeOf<Actions['join']['input']>().toEqualTypeOf<{ name: string; color?: 'red' | 'blue' | undefined }>()
    expectTypeOf<Actions['join']['output']>().toEqualTypeOf<{ name: string; color: 'red' | 'blue'; joined: true }>()
  })

  it('maps topics, and a pattern declaration to a template literal', () => {
    type Topics = TopicsOf<typeof clientFixtureChannel>
    expectTypeOf<Topics['room:message']>().toEqualTypeOf<{ text: string; author: string }>()
    expectTypeOf<Topics[`news:${string}`]>().toEqualTypeOf<{ headline: string }>()
    expectTypeOf<Topics['presence']>().toEqualTypeOf<unknown>()
  })
})

describe('send', () => {
  it('infers input and output from the action name', () => {
    expectTypeOf(client.send('post', { text: 'hi' })).toEqualTypeOf<Promise<{ id: number; text: string }>>()
    expectTypeOf(client.send('rename', { name: 'ada' })).resolves.toEqualTypeOf<{ renamed: string }>()
    expectTypeOf(keyed.send('join', { name: 'ada' })).resolves.toEqualTypeOf<{ name: string; color: 'red' | 'blue'; joined: true }>()
  })

  it('lets a field with a schema default be omitted, or given', () => {
    void client.send('post', { text: 'hi' })
    void client.send('post', { text: 'hi', priority: 2 })
    void keyed.send('join', { name: 'ada', color: 'blue' })
    void keyed.send('join', { name: 'ada' })
  })

  it('lets an input whose fields are all optional be left out, but not one with a required field', () => {
    const optionalOnly = createClient<typeof optionalInputChannel>('wss://x/optional-input')
    void optionalOnly.send('list')
    void optionalOnly.send('list', { limit: 5 })
    // @ts-expect-error text is required
    void client.send('post')
  })

  it('lets an action without input be called with no data, and takes options', () => {
    expectTypeOf(client.send('now')).resolves.toEqualTypeOf<{ at: number }>()
    expectTypeOf(keyed.send('leave')).resolves.toEqualTypeOf<undefined>()
    void client.send('now', undefined, { timeoutMs: 5, signal: new AbortController().signal })
    void client.send('post', { text: 'hi' }, { timeoutMs: 5 })
  })

  it('rejects a wrong action name', () => {
    // @ts-expect-error no such action
    void client.send('delete', { text: 'hi' })
    // @ts-expect-error "join" is the other channel's action
    void client.send('join', { name: 'ada' })
    // @ts-expect-error the routing key is not an action
    void keyed.send('action', {})
  })

  it('rejects a wrong input type', () => {
    // @ts-expect-error text must be a string
    void client.send('post', { text: 42 })
    // @ts-expect-error priority must be a number
    void client.send('post', { text: 'hi', priority: 'high' })
    // @ts-expect-error color is a picklist
    void keyed.send('join', { name: 'ada', color: 'green' })
    // @ts-expect-error options are not the input
    void client.send('post', { timeoutMs: 5 })
  })

  it('rejects a missing required field or missing data', () => {
    // @ts-expect-error text is required
    void client.send('post', { priority: 1 })
    // @ts-expect-error post needs data
    void client.send('post')
    // @ts-expect-error name is required
    void keyed.send('join', {})
  })

  it('rejects wrong use of the reply', async () => {
    const posted = await client.send('post', { text: 'hi' })
    // @ts-expect-error the reply has no "author"
    void posted.author
    // @ts-expect-error id is a number
    const id: string = posted.id
    void id
  })
})

describe('subscribe', () => {
  it('types the payload per topic', () => {
    const subscription = client.subscribe('room:message', (data, meta) => {
      expectTypeOf(data).toEqualTypeOf<{ text: string; author: string }>()
      expectTypeOf(meta).toEqualTypeOf<EventMeta>()
    })
    expectTypeOf(subscription).toEqualTypeOf<Subscription>()
    expectTypeOf(subscription.ready).toEqualTypeOf<Promise<void>>()
    client.subscribe('presence', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
  })

  it('types the payload per pattern, and for a concrete topic under a pattern', () => {
    client.subscribe('news:*', (data) => expectTypeOf(data).toEqualTypeOf<{ headline: string }>())
    client.subscribe('news:sports', (data) => expectTypeOf(data).toEqualTypeOf<{ headline: string }>())
    keyed.subscribe('scores:*', (data) => expectTypeOf(data).toEqualTypeOf<{ home: number; away: number }>())
  })

  it('takes since, onResync and onError', () => {
    client.subscribe('room:message', () => undefined, {
      since: 3,
      onResync: () => undefined,
      onError: (error) => expectTypeOf(error).toEqualTypeOf<ChannelClientError>(),
    })
  })

  it('takes narrower patterns under a declared one', () => {
    client.subscribe('news:eu:*', (data) => expectTypeOf(data).toEqualTypeOf<{ headline: string }>())
  })

  it('rejects an unknown topic, and a pattern no declaration offers', () => {
    // @ts-expect-error not declared
    client.subscribe('room:typing', () => undefined)
    // @ts-expect-error "room:message" is a topic, not a pattern declaration
    client.subscribe('room:*', () => undefined)
    // @ts-expect-error nothing is declared under "weather"
    client.subscribe('weather:*', () => undefined)
    // @ts-expect-error declared on the other channel
    client.subscribe('scores:1', () => undefined)
  })

  it('rejects wrong use of a payload', () => {
    client.subscribe('room:message', (data) => {
      // @ts-expect-error text is a string
      const n: number = data.text
      void n
      // @ts-expect-error no such field
      void data.headline
    })
    client.subscribe('news:*', (data) => {
      // @ts-expect-error news payloads have no text
      void data.text
    })
    client.subscribe('presence', (data) => {
      // @ts-expect-error an undeclared schema types the payload as unknown
      void data.anything
    })
  })
})

describe('presence', () => {
  it("types members' data as the channel's presence.of returns it, else as the member id", () => {
    expectTypeOf<PresenceDataOf<typeof presenceFixtureChannel>>().toEqualTypeOf<{ name: string }>()
    expectTypeOf<PresenceDataOf<typeof clientFixtureChannel>>().toEqualTypeOf<string>()
    const room = createClient<typeof presenceFixtureChannel>('wss://host/client-test-presence/general', { WebSocket })
    expectTypeOf(room.presence()).toEqualTypeOf<Promise<PresenceView<{ name: string }>>>()
    room.onPresence((view, change) => {
      expectTypeOf(view.members[0]!.data.name).toEqualTypeOf<string>()
      expectTypeOf(change.leaves).toEqualTypeOf<string[]>()
      // @ts-expect-error the data has no such field
      void view.members[0]!.data.age
    })
  })
})

describe('ChannelClientError', () => {
  it('carries the protocol codes plus the client codes', () => {
    expectTypeOf<ChannelClientError['code']>().toEqualTypeOf<ClientErrorCode>()
    expectTypeOf<ClientErrorCode>().toEqualTypeOf<ErrorCode | 'TIMEOUT' | 'ABORTED' | 'DISCONNECTED' | 'CLOSED' | 'BUFFER_FULL' | 'NOT_FOUND'>()
    expectTypeOf<'INVALID_INPUT'>().toMatchTypeOf<ClientErrorCode>()
    expectTypeOf<ChannelClientError['issues']>().toEqualTypeOf<{ message: string; path?: (string | number)[] }[] | undefined>()
    expectTypeOf<ChannelClientError['details']>().toEqualTypeOf<{ action?: string; id?: string | number; issues?: { message: string; path?: (string | number)[] }[]; status?: number }>()
  })

  it('narrows by code', () => {
    const handle = (error: ChannelClientError): string => {
      switch (error.code) {
        case 'TIMEOUT':
        case 'DISCONNECTED':
          return 'retry'
        case 'INVALID_INPUT':
          return 'fix'
        default:
          return 'other'
      }
    }
    void handle
    // @ts-expect-error not a code
    void new ChannelClientError('NOPE', 'x')
    const check = (error: ChannelClientError) => {
      // @ts-expect-error not a code, so the comparison cannot be true
      return error.code === 'NOT_A_CODE'
    }
    void check
  })
})
