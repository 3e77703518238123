import type { RoomOpening } from '../../room'

/** What others in the room see of a connection: the name it joined with. */
export const chatMember = ({ openingData }: { openingData: RoomOpening }) => ({ name: openingData.name })
