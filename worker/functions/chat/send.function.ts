import * as v from 'valibot'
import { pikkuChannelFunc } from 'pikku-durable-channels'
import type { ChatMessage } from '../../message-store'
import type { RoomOpening } from '../../room'

/** Posts a message to the room and returns it as stored. */
export const sendMessage = pikkuChannelFunc<{ text: string }, ChatMessage, RoomOpening>({
  title: 'Send a chat message',
  input: v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Say something'), v.maxLength(500)) }),
  func: async ({ messages, channel }, { text }) => messages.add(channel.openingData.name, text),
})
