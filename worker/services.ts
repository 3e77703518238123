import { pikkuServices } from '#pikku/pikku-types.gen.js'
import { HistoryExport } from './history-export'
import { MessageStore } from './message-store'
import { TodoStore } from './todo-store'

/**
 * The app's singleton services, built once per channel instance's object (a chat room, a todo list). `gen` types
 * every handler's services from what this returns (see .pikku/pikku-types.gen.ts),
 * so no `declare module` is needed here.
 */
export const createServices = pikkuServices(({ env, storage }) => {
  const messages = new MessageStore(storage.sql)
  return { messages, history: new HistoryExport(env, messages), todos: new TodoStore(storage.sql) }
})
