// The functions seed 001's "Basic Channel" wires (it refers to them without showing them).
import { pikkuFunc, pikkuSessionlessFunc } from 'pikku-durable-channels'

export const createTodo = pikkuFunc({
  title: 'Create Todo',
  func: async ({ db }, { text }: { text: string }) => ({ todo: await db.createTodo({ text }) }),
})

export const listTodos = pikkuSessionlessFunc({
  title: 'List Todos',
  func: async ({ db }) => ({ todos: await db.listTodos() }),
})
