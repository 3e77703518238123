// Seed 001, "Complete Example": wirings/chat.channel.ts, as written (imports aside).
import { wireChannel } from 'pikku-durable-channels'
import { authenticate, listMessages, sendMessage } from '../functions/chat.functions'

wireChannel({
  name: 'chat',
  onConnect: async ({ eventHub, channel }) => {
    eventHub.subscribe('chat:message', (data) => {
      channel.send(data)
    })
  },
  onDisconnect: async () => {},
  onMessageWiring: {
    auth: { func: authenticate, auth: false },
    send: { func: sendMessage },
    history: { func: listMessages, auth: false },
  },
})
