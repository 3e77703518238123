import * as v from 'valibot'
import { pikkuChannelFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { wireChannel } from '../../../src/core/wiring/wire'

/** Wiring shape 1: actions directly under `onMessageWiring` (routed on `action`). */
export const clientFixtureChannel = wireChannel({
  name: 'client-test-fixture',
  route: '/client-test-fixture/:room',
  auth: false,
  topics: {
    'room:message': { schema: v.object({ text: v.string(), author: v.string() }) },
    'news:*': { schema: v.object({ headline: v.string() }) },
    presence: {},
  },
  onMessageWiring: {
    post: pikkuChannelFunc({
      input: v.object({ text: v.string(), priority: v.optional(v.number(), 0) }),
      output: v.object({ id: v.number(), text: v.string() }),
      func: async (_services, { text }) => ({ id: 1, text }),
    }),
    now: pikkuChannelFunc({ func: async () => ({ at: 0 }) }),
    rename: {
      func: pikkuSessionlessFunc({ input: v.object({ name: v.pipe(v.string(), v.minLength(1)) }), func: async (_services, { name }) => ({ renamed: name }) }),
      auth: false,
    },
    shout: async (_services: unknown, data: unknown) => String(data).toUpperCase(),
  },
})

/** Wiring shape 2: the routing key spelled out, `{ action: { ... } }`. */
export const clientFixtureKeyedChannel = wireChannel({
  name: 'client-test-fixture-keyed',
  route: '/client-test-fixture-keyed/:room',
  auth: false,
  topics: {
    'scores:*': { schema: v.object({ home: v.number(), away: v.number() }) },
  },
  onMessageWiring: {
    action: {
      join: pikkuChannelFunc({
        input: v.object({ name: v.string(), color: v.optional(v.picklist(['red', 'blue']), 'red') }),
        func: async (_services, { name, color }) => ({ name, color, joined: true as const }),
      }),
      leave: pikkuChannelFunc({ func: async () => undefined }),
    },
  },
})

/** An action whose input fields all have defaults or are optional: the client may leave the input out. */
export const optionalInputChannel = wireChannel({
  name: 'client-test-optional-input',
  route: '/client-test-optional-input',
  auth: false,
  onMessageWiring: {
    list: pikkuSessionlessFunc({ input: v.object({ limit: v.optional(v.number(), 10) }), func: async (_services, { limit }) => ({ limit }) }),
  },
})

/** A channel with presence, each member shown by name. */
export const presenceFixtureChannel = wireChannel({
  name: 'client-test-presence',
  route: '/client-test-presence/:room',
  auth: false,
  presence: { of: ({ session }) => ({ name: String((session as { userId?: string } | undefined)?.userId ?? 'guest') }) },
})
