// Seed 001, "Action Routing with Auth", as written (imports aside).
import { wireChannel } from 'pikku-durable-channels'
import { authenticate, createTodo, subscribeTodos } from './functions/todos.function'

wireChannel({
  name: 'todos',
  onConnect: async () => {},
  onDisconnect: async () => {},
  onMessageWiring: {
    auth: { func: authenticate, auth: false }, // No session required
    subscribe: { func: subscribeTodos }, // Session required
    create: { func: createTodo },
  },
})
