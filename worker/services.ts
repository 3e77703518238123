import { pikkuServices, type TopicsOf } from 'pikku-durable-channels'
import type { chatChannel } from './chat.channel'
import { MessageStore } from './message-store'

/** The app's singleton services, built once per chat room object. */
export const createServices = pikkuServices(({ storage }) => ({
  messages: new MessageStore(storage.sql),
}))

declare module 'pikku-durable-channels' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
    topics: TopicsOf<typeof chatChannel>
  }
}
