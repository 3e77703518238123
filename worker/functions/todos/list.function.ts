import * as v from 'valibot'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { Todo } from '../../todo-store'

/** The whole list, oldest first. */
export const listTodos = pikkuChannelFunc<unknown, { todos: Todo[] }>({
  title: 'List the todos',
  output: v.object({ todos: v.array(Todo) }),
  func: async ({ todos }) => ({ todos: todos.all() }),
})
