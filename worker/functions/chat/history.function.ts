import * as v from 'valibot'
import { pikkuSessionlessFunc } from '#pikku/pikku-types.gen.js'
import { ChatMessage } from '../../room'

/** The room's latest messages, oldest first. */
export const listMessages = pikkuSessionlessFunc({
  title: 'Chat history',
  input: v.object({ limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 50) }),
  // Types the reply in the generated channel map (and checks it: a mismatch is a server bug).
  output: v.object({ messages: v.array(ChatMessage) }),
  func: async ({ messages }, { limit }) => ({ messages: messages.recent(limit) }),
})
