import * as v from 'valibot'
import { pikkuChannelFunc } from 'pikku-durable-channels'
import type { ChatMessage, RoomOpening } from '../../room'

/** Posts a message: stores it, tells everyone else in the room, and returns it to the sender. */
export const sendMessage = pikkuChannelFunc<{ text: string }, ChatMessage, RoomOpening>({
  title: 'Send a chat message',
  input: v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Say something'), v.maxLength(500)) }),
  func: async ({ messages, channel, eventHub }, { text }) => {
    const message = messages.add(channel.openingData.name, text)
    await eventHub.publish('chat:message', message, { skipSender: true })
    return message
  },
})
