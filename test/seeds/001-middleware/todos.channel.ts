// Seed 001, "Channel Middleware": the inline form, as written (imports aside);
// the seed leaves `onMessageWiring: { ... }` to the reader, so it gets two actions.
import { addChannelMiddleware, pikkuChannelFunc, pikkuChannelMiddleware, wireChannel } from 'pikku-durable-channels'
import { addTimestamp } from './middleware'

// Or inline on wiring
wireChannel({
  name: 'todos',
  // 'todos' brings the seed's addChannelMiddleware('todos', ...); 'marking' (the test's own, below) goes first.
  tags: ['marking', 'todos'],
  auth: false,
  channelMiddleware: [addTimestamp],
  onConnect: async () => {},
  onDisconnect: async () => {},
  onMessageWiring: {
    ping: pikkuChannelFunc({ func: async () => ({ pong: true }) }),
    secret: pikkuChannelFunc({ func: async () => ({ internal: true, value: 'hidden' }) }),
  },
})

// Not in the seed: channel middleware sees frames ({ type, data, ... }), so the
// seed's `event.internal` is a field of the frame. This marks frames whose data
// says so, for filterSensitive to drop.
addChannelMiddleware('marking', [
  pikkuChannelMiddleware(async (_services, event, next) => next(event.data?.internal ? { ...event, internal: true } : event)),
])
