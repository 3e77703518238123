import { nameOf, type RoomOpening } from '../../room'

/** What others in the room see of a connection: its name (the signed-in one, else the one it joined with), not typing yet. */
export const chatMember = ({ openingData, session }: { openingData: RoomOpening; session: unknown }) => ({ name: nameOf(openingData, session), typing: false })
