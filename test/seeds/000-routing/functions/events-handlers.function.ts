// Seed 000's handlers (the same file in both examples: see ../../000-events), plus
// the functions its "Action Routing" wires.
import { pikkuChannelFunc } from 'pikku-durable-channels'

export { onConnect, onDisconnect, onMessage } from '../../000-events/functions/events-handlers.function.js'

// The functions seed 000's "Action Routing" wires (it refers to them, without showing them):
// subscribe / unsubscribe to the topic the frame names, and a fallback for everything else.

export const subscribe = pikkuChannelFunc<{ topic: string }, { subscribed: string }>({
  func: async ({ eventHub }, { topic }) => {
    await eventHub.subscribe(topic)
    return { subscribed: topic }
  },
})

export const unsubscribe = pikkuChannelFunc<{ topic: string }, { unsubscribed: string }>({
  func: async ({ eventHub }, { topic }) => {
    await eventHub.unsubscribe(topic)
    return { unsubscribed: topic }
  },
})

export const defaultHandler = pikkuChannelFunc<Record<string, unknown>, { echo: Record<string, unknown> }>({
  func: async ({ eventHub }, data) => {
    await eventHub.publish('updates', data)
    return { echo: data }
  },
})
