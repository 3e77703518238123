import { pikkuChannelDisconnectionFunc } from '#pikku/pikku-types.gen.js'
import type { RoomOpening } from '../../room'

export const onChatDisconnect = pikkuChannelDisconnectionFunc<RoomOpening>({
  func: async ({ logger, channel }) => {
    logger.info('chat.left', { room: channel.openingData.room, name: channel.openingData.name, channelId: channel.channelId })
  },
})
