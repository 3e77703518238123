import { StreamRefSchema, type StreamRef } from 'pikku-durable-channels'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import type { RoomOpening } from '../../room'

/**
 * The room's whole history as a binary stream: returns the reader's ref (plain
 * JSON), which the page opens with `openReader` and saves as a file. The
 * writing goes on in the room's object after the reply (services.history).
 */
export const exportHistory = pikkuChannelFunc<unknown, StreamRef, RoomOpening>({
  title: 'Export the chat history',
  output: StreamRefSchema,
  func: async ({ history, channel }) => history.start(channel.openingData.room),
})
