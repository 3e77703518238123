// Seed 000, "Action Routing with onMessageWiring", as written (imports aside).
import { wireChannel } from 'pikku-durable-channels'
import {
  defaultHandler,
  onConnect,
  onDisconnect,
  subscribe,
  unsubscribe,
} from './functions/events-handlers.function.js'

wireChannel({
  name: 'events',
  route: '/',
  onConnect,
  onDisconnect,
  // Fallback message handler if no action wiring matches
  onMessage: defaultHandler,
  // Action routing table
  onMessageWiring: {
    action: {
      subscribe: { func: subscribe },
      unsubscribe, // shorthand reference
    },
  },
})
