import * as v from 'valibot'
import { channels, pikkuChannelFunc, wireChannel } from 'pikku-durable-channels'

export { ChannelObject } from 'pikku-durable-channels'

/** One sequence-numbered event: publisher `p`'s `n`th. */
const Event = v.object({ topic: v.picklist(['wide', 'local']), p: v.number(), n: v.number() })

// `wide` goes through its coordinator to every instance holding a subscriber; `local` stays in the publisher's instance.
wireChannel({
  name: 'relay',
  route: '/relay/:room',
  auth: false,
  rateLimit: false,
  topics: { wide: { global: true, replay: false }, local: { replay: false } },
  onMessageWiring: {
    pub: pikkuChannelFunc({ input: Event, func: async ({ eventHub }, { topic, p, n }) => eventHub.publish(topic, { p, n }) }),
  },
})

export default channels()
