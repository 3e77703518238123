// Seed 001, "Basic Channel", as written (imports aside).
import { wireChannel } from 'pikku-durable-channels'
import { createTodo, listTodos } from './functions/todos.function'

wireChannel({
  name: 'todos',
  onConnect: async () => {},
  onDisconnect: async () => {},
  onMessageWiring: {
    create: { func: createTodo },
    list: { func: listTodos, auth: false },
  },
})
