import * as v from 'valibot'
import { ChannelError } from 'pikku-durable-channels'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { ChatMessage, nameOf, type RoomOpening } from '../../room'

/** Edits one of the sender's own messages and tells the room. */
export const editMessage = pikkuChannelFunc<{ id: number; text: string }, ChatMessage, RoomOpening>({
  title: 'Edit your own message',
  input: v.object({ id: v.pipe(v.number(), v.integer()), text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Say something'), v.maxLength(500)) }),
  output: ChatMessage,
  func: async ({ messages, channel, eventHub }, { id, text }, wire) => {
    const found = messages.get(id)
    if (!found) throw new ChannelError('INVALID_INPUT', `There is no message #${id} in this room`)
    if (found.author !== nameOf(channel.openingData, wire.session)) throw new ChannelError('FORBIDDEN', 'You can only edit your own messages')
    const edited = messages.edit(id, text)
    await eventHub.publish('chat:edited', edited)
    return edited
  },
})
