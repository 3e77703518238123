// Seed 001, "Action Routing with Auth": authenticate as written, plus the
// functions it wires without showing them (subscribeTodos, createTodo).
import { pikkuFunc } from 'pikku-durable-channels'
import { verifyJWT } from '../../support/jwt'

export const authenticate = pikkuFunc({
  title: 'Authenticate',
  func: async ({ setSession }, { token }) => {
    const session = await verifyJWT(token)
    setSession(session)
    return { success: true }
  },
})

export const subscribeTodos = pikkuFunc({
  title: 'Subscribe to todos',
  func: async ({ eventHub }) => {
    await eventHub.subscribe('todos:updated')
    return { subscribed: true }
  },
})

export const createTodo = pikkuFunc({
  title: 'Create Todo',
  func: async ({ db, eventHub }, { text }: { text: string }, { session }) => {
    const todo = await db.createTodo({ text })
    await eventHub.publish('todos:updated', { event: 'created', todo, by: session.userId })
    return { todo }
  },
})
