import * as v from 'valibot'
import { pikkuSessionlessFunc } from 'pikku-durable-channels'

/** The room's latest messages, oldest first. */
export const listMessages = pikkuSessionlessFunc({
  title: 'Chat history',
  input: v.object({ limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 50) }),
  func: async ({ messages }, { limit }) => ({ messages: messages.recent(limit) }),
})
