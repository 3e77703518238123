import { wireChannel } from '#pikku/pikku-types.gen.js'
import { completeTodo } from './functions/todos/complete.function.js'
import { createTodo, TodoUpdate } from './functions/todos/create.function.js'
import { listTodos } from './functions/todos/list.function.js'
import { stampSentAt } from './middleware.js'

// A live todo list per name: /todos/groceries is one list, shared by everyone on it.
export const todosChannel = wireChannel({
  name: 'todos',
  route: '/todos/:list',
  auth: false,
  topics: {
    // Every change to the list, replayed to a client that reconnects with `since`.
    'todos:updated': { schema: TodoUpdate },
  },
  onMessageWiring: {
    create: { func: createTodo },
    list: { func: listTodos },
    complete: { func: completeTodo },
  },
  channelMiddleware: [stampSentAt],
})
