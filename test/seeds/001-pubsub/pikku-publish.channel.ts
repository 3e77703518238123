// Beyond the seed: Pikku's own EventHub API, publish(topic, channelId | null, data),
// on a channel of its own, so both publish forms are exercised in one Worker.
import { pikkuChannelFunc, wireChannel } from 'pikku-durable-channels'

wireChannel({
  name: 'pikku-publish',
  auth: false,
  onConnect: async ({ eventHub, channel }) => {
    await eventHub.subscribe('notes', channel.channelId)
  },
  onMessageWiring: {
    // Pikku skips the connection it names: the sender does not hear its own note.
    note: pikkuChannelFunc({
      func: async ({ eventHub, channel }, { text }: { text: string }) => {
        await eventHub.publish('notes', channel.channelId, { text })
      },
    }),
    // null: everyone hears it.
    shout: pikkuChannelFunc({
      func: async ({ eventHub }, { text }: { text: string }) => {
        await eventHub.publish('notes', null, { text })
      },
    }),
  },
})
