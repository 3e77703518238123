// Seed 000, "Channel Function Definitions": the three handlers, as written.
import { pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc } from 'pikku-durable-channels'

export const onConnect = pikkuChannelConnectionFunc<
  { welcome: string }, // Out - sent to client on connect
  { room?: string } // ChannelData - from URL/query params
>({
  func: async ({ logger, channel }) => {
    logger.info('Connected', { channelId: channel.channelId })
    return { welcome: 'connected' }
  },
})

export const onDisconnect = pikkuChannelDisconnectionFunc<{ room?: string }>({
  // ChannelData
  func: async ({ logger, channel }) => {
    logger.info('Disconnected', { channelId: channel.channelId })
  },
})

export const onMessage = pikkuChannelFunc<
  { message: string }, // In - message from client
  { received: boolean }, // Out - response to client
  { room?: string } // ChannelData
>({
  func: async ({ logger, channel }, { message }) => {
    logger.info('Message', { message, channelId: channel.channelId })
    return { received: true }
  },
})

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
