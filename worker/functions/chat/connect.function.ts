import { pikkuChannelConnectionFunc } from 'pikku-durable-channels'
import type { RoomOpening } from '../../room'

/** Greets the client: the welcome frame carries the room and the name it joined as. */
export const onChatConnect = pikkuChannelConnectionFunc<{ room: string; name: string }, RoomOpening>({
  func: async ({ logger, channel }) => {
    const { room, name } = channel.openingData
    logger.info('chat.joined', { room, name, channelId: channel.channelId })
    return { room, name }
  },
})
