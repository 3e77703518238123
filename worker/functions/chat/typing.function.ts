import * as v from 'valibot'
import { pikkuChannelFunc } from '#pikku/pikku-types.gen.js'
import { nameOf, type RoomOpening } from '../../room'

/** Says whether the sender is typing: it shows in the room's presence, with no storage write. */
export const setTyping = pikkuChannelFunc<{ typing: boolean }, void, RoomOpening>({
  title: 'Typing or not',
  input: v.object({ typing: v.boolean() }),
  func: async ({ channel }, { typing }, wire) => channel.setPresence({ name: nameOf(channel.openingData, wire.session), typing }),
})
