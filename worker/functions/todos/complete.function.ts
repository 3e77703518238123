import * as v from 'valibot'
import { ChannelError } from 'pikku-durable-channels'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { Todo } from '../../todo-store'

/** Marks a todo done and tells everyone on the list. */
export const completeTodo = pikkuChannelFunc<{ id: number }, Todo>({
  title: 'Complete a todo',
  input: v.object({ id: v.pipe(v.number(), v.integer()) }),
  output: Todo,
  func: async ({ todos, eventHub }, { id }) => {
    const todo = todos.complete(id)
    if (!todo) throw new ChannelError('INVALID_INPUT', `There is no todo #${id} on this list`)
    await eventHub.publish('todos:updated', { kind: 'completed', todo })
    return todo
  },
})
