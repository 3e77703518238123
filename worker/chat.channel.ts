import { wireChannel } from 'pikku-durable-channels'
import { onChatConnect } from './functions/chat/connect.function'
import { onChatDisconnect } from './functions/chat/disconnect.function'
import { listMessages } from './functions/chat/history.function'
import { sendMessage } from './functions/chat/send.function'
import { RoomOpening } from './room'

export const chatChannel = wireChannel({
  name: 'chat',
  route: '/chat/:room',
  openingData: RoomOpening,
  onConnect: onChatConnect,
  onDisconnect: onChatDisconnect,
  // Anyone may chat; sessions arrive with the auth work.
  auth: false,
  onMessageWiring: {
    send: { func: sendMessage },
    history: { func: listMessages },
  },
  tags: ['chat'],
})
