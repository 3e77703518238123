import { pikkuChannelConnectionFunc } from '#pikku/pikku-types.gen.js'
import { nameOf, type RoomOpening } from '../../room'

// The opening data this function reads; the wiring validates connections with it.
export { RoomOpening } from '../../room'

/** Greets the client and subscribes it to the room's messages; the welcome frame carries the room and name. */
export const onChatConnect = pikkuChannelConnectionFunc<{ room: string; name: string }, RoomOpening>({
  func: async ({ logger, channel, eventHub }, _data, wire) => {
    const { room } = channel.openingData
    const name = nameOf(channel.openingData, wire.session)
    await eventHub.subscribe('chat:message')
    await eventHub.subscribe('chat:edited')
    logger.info('chat.joined', { room, name, channelId: channel.channelId })
    return { room, name }
  },
})
