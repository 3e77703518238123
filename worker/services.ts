import { pikkuServices } from '../src/index'
import { MessageStore } from './message-store'

/** The app's singleton services, built once per chat room object. */
export const createServices = pikkuServices(({ storage }) => ({
  messages: new MessageStore(storage.sql),
}))

declare module '../src/index' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
  }
}
