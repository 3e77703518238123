import { pikkuServices } from 'pikku-durable-channels'
import { MessageStore } from './message-store'

/** The app's singleton services, built once per chat room object. */
export const createServices = pikkuServices(({ storage }) => ({
  messages: new MessageStore(storage.sql),
}))

declare module 'pikku-durable-channels' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
  }
}
