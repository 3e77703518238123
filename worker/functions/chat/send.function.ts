import * as v from 'valibot'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { ChatMessage, nameOf, type RoomOpening } from '../../room'

// The message this function publishes; the wiring declares the topic's payload with it.
export { ChatMessage } from '../../room'

/** Posts a message: stores it, tells everyone else in the room, and returns it to the sender. */
export const sendMessage = pikkuChannelFunc<{ text: string }, ChatMessage, RoomOpening>({
  title: 'Send a chat message',
  input: v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Say something'), v.maxLength(500)) }),
  output: ChatMessage,
  func: async ({ messages, channel, eventHub }, { text }, wire) => {
    const message = messages.add(nameOf(channel.openingData, wire.session), text)
    await eventHub.publish('chat:message', message, { skipSender: true })
    return message
  },
})
