import { wireChannel } from '#pikku/pikku-types.gen.js'
import { authenticateChat } from './functions/chat/authenticate.function.js'
import { onChatConnect, RoomOpening } from './functions/chat/connect.function.js'
import { editMessage } from './functions/chat/edit.function.js'
import { onChatDisconnect } from './functions/chat/disconnect.function.js'
import { exportHistory } from './functions/chat/export.function.js'
import { listMessages } from './functions/chat/history.function.js'
import { chatMember } from './functions/chat/presence.function.js'
import { ChatMessage, sendMessage } from './functions/chat/send.function.js'
import { setTyping } from './functions/chat/typing.function.js'

wireChannel({
  name: 'chat',
  route: '/chat/:room',
  openingData: RoomOpening,
  onConnect: onChatConnect,
  onDisconnect: onChatDisconnect,
  // Anyone may chat: signed in with a token checked at the upgrade (the session names them), or anonymous by ?name=.
  auth: false,
  authenticate: authenticateChat,
  topics: {
    // Every message posted in the room; kept for replay, so a client that reconnects with `since` misses nothing.
    'chat:message': { schema: ChatMessage },
    // A message its author edited, as it is now.
    'chat:edited': { schema: ChatMessage },
    // Announcements to every room at once, fanned out through a coordinator object.
    'chat:announcement': { global: true },
  },
  onMessageWiring: {
    send: { func: sendMessage },
    edit: { func: editMessage },
    typing: { func: setTyping },
    history: { func: listMessages },
    // Returns a stream reader's ref; the page downloads the room's history through it.
    export: { func: exportHistory },
  },
  tags: ['chat'],
  // Who is online: each connection as the name it joined with, kept in its socket's attachment (no storage per join).
  presence: { of: chatMember },
})
