import { pikkuChannelMiddleware } from 'pikku-durable-channels'

/** Stamps `sentAt` (ms since the epoch) on everything a connection is sent: replies, messages and events. */
export const stampSentAt = pikkuChannelMiddleware(async (_services, event, next) => next({ ...event, sentAt: Date.now() }))
