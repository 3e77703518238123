// Seed 000, "Basic Channel Wiring", as written (imports aside).
import { wireChannel } from 'pikku-durable-channels'
import {
  onConnect,
  onDisconnect,
  onMessage,
} from './functions/events-handlers.function.js'
import { audit } from './middleware'

wireChannel({
  // Unique channel name (typed client bindings depend on this)
  name: 'events',
  // HTTP route that upgrades to this channel (adapter-dependent)
  route: '/',
  // Lifecycle handlers
  onConnect,
  onDisconnect,
  // Message handler
  onMessage,
  // Channel-wide auth default (applies to actions unless overridden)
  auth: true,
  // Optional transport middleware (audit/tracing; keep it light)
  middleware: [audit],
  // Optional tags for deployment filtering
  tags: ['events'],
})
