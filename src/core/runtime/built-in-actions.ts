import { ChannelError } from '../errors'
import type { EventHub } from '../event-hub/event-hub'
import type { LoggedEvent } from '../event-hub/hub-store'
import { findTopic } from '../event-hub/topics'
import type { SubscribeInput, SubscribeReply, UnsubscribeInput, UnsubscribeReply } from '../protocol/frames'
import { SubscribeInputSchema, UnsubscribeInputSchema } from '../protocol/schemas'
import { isPattern, matches, topicProblem } from '../protocol/topics'
import { parseWith } from '../schema'
import type { PikkuFunction, Services, Wire } from '../types'
import type { ChannelDefinition } from '../wiring/channel-definition'
import { pikkuChannelFunc } from '../wiring/function'
import type { CallRules } from './call'
import { checkPermissions } from './permission'

/** What the built-in subscription actions need from the runtime that hosts them. */
export interface SubscriptionHost {
  readonly channel: ChannelDefinition
  readonly hub: EventHub
  /** Sends an event from the replay log to one connection, as it was first sent. */
  replay(channelId: string, event: LoggedEvent): void
  /** A replay for this connection is about to be asked for: hold its live events (a shard replaying from the owner's log). */
  holdLive(channelId: string, subscription: string): void
  /** The replay up to `through` was sent: the held live events it did not cover go out now. */
  releaseLive(channelId: string, through: number): void
}

/** A built-in action: its function, and the rules its input calls for. */
export interface BuiltInAction {
  func: PikkuFunction
  /** Checks the input and settles the rules (the topic's auth and permissions) for this connection; throws INVALID_INPUT. */
  prepare(input: unknown, channelId: string): Promise<{ data: unknown; rules: CallRules }>
}

/**
 * `$subscribe` and `$unsubscribe`, run through the same pipeline as app
 * actions (channel middleware, the topic's auth, its permissions). `$ping`
 * needs no function: the runtime answers it directly.
 */
export function subscriptionActions(host: SubscriptionHost): Record<'$subscribe' | '$unsubscribe', BuiltInAction> {
  const { channel, hub } = host

  /**
   * Clients may subscribe to what the channel declares, under the topic's own
   * auth and permissions. A topic it does not declare is offered only to a
   * connection the server already subscribed to it (seed 001's
   * `eventHub.subscribe(topic, callback)` in onConnect): the client then just
   * takes the deliveries as `event` frames, with `since`, and gains nothing new.
   */
  const preparing = (schema: typeof SubscribeInputSchema | typeof UnsubscribeInputSchema) => async (input: unknown, channelId: string) => {
    const data: SubscribeInput = await parseWith(schema, input, 'Input')
    const problem = topicProblem(data.topic, true)
    if (problem) throw new ChannelError('INVALID_INPUT', `Input is invalid: ${problem}`, [{ message: problem, path: ['topic'] }])
    const found = findTopic(channel.topics, data.topic)
    if (found) return { data, rules: { auth: found.spec.auth ?? channel.auth, permissions: found.spec.permissions, middleware: channel.middleware } }
    if (hub.holds(channelId, data.topic)) return { data, rules: { auth: false, permissions: undefined, middleware: channel.middleware } }
    const message = `Topic "${data.topic}" is not offered on channel "${channel.name}"`
    throw new ChannelError('INVALID_INPUT', message, [{ message, path: ['topic'] }])
  }

  /**
   * A pattern reaches topics that narrower declarations may guard more
   * strictly (`alerts:*` over `alerts:secret:*`): the caller must pass those
   * too, or a broad pattern would leak what a narrow one refuses.
   */
  const checkNarrower = async (topic: string, services: Services, wire: Wire) => {
    if (!isPattern(topic)) return
    const governing = findTopic(channel.topics, topic)?.key
    for (const [key, spec] of Object.entries(channel.topics)) {
      if (key === governing || !matches(topic, key)) continue
      if ((spec.auth ?? channel.auth) && wire.session === undefined) throw new ChannelError('UNAUTHENTICATED', `"${topic}" includes "${key}", which needs a session`)
      if (spec.permissions && !(await checkPermissions(spec.permissions, services, { topic: key }, wire))) {
        throw new ChannelError('FORBIDDEN', `"${topic}" includes "${key}", which this session may not subscribe to`)
      }
    }
  }

  return {
    // Subscribes, replays what the client missed (before the reply), and says where the sequence stands.
    $subscribe: {
      prepare: preparing(SubscribeInputSchema),
      func: pikkuChannelFunc<SubscribeInput, SubscribeReply>({
        func: async (services, { topic, since }, wire) => {
          const { channelId } = services.channel
          await checkNarrower(topic, services, wire)
          if (since === undefined) {
            await hub.subscribe(channelId, topic)
            return { topic, seq: await hub.instanceHead() }
          }
          // Held from before the subscription exists, so no live event can overtake the replay.
          host.holdLive(channelId, topic)
          let through = 0
          try {
            await hub.subscribe(channelId, topic)
            const { events, resync, seq } = await hub.instanceReplay(topic, since)
            through = seq
            if (resync) return { topic, seq, resync: true }
            for (const event of events) host.replay(channelId, event)
            return { topic, seq, replayed: events.length }
          } finally {
            host.releaseLive(channelId, through)
          }
        },
      }),
    },
    $unsubscribe: {
      prepare: preparing(UnsubscribeInputSchema),
      func: pikkuChannelFunc<UnsubscribeInput, UnsubscribeReply>({
        func: async ({ channel: { channelId } }, { topic }) => ({ topic, unsubscribed: await hub.unsubscribe(channelId, topic) }),
      }),
    },
  }
}
