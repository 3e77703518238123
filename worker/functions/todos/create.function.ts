import * as v from 'valibot'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { Todo } from '../../todo-store'

// What the list's event carries; the wiring declares the topic's payload with it.
export const TodoUpdate = v.object({ kind: v.picklist(['created', 'completed']), todo: Todo })

/** Adds a todo to the list and tells everyone on it (the creator included: every page renders from the events). */
export const createTodo = pikkuChannelFunc<{ title: string }, Todo>({
  title: 'Add a todo',
  input: v.object({ title: v.pipe(v.string(), v.trim(), v.minLength(1, 'Name the todo'), v.maxLength(200)) }),
  output: Todo,
  func: async ({ todos, eventHub }, { title }) => {
    const todo = todos.add(title)
    await eventHub.publish('todos:updated', { kind: 'created', todo })
    return todo
  },
})
