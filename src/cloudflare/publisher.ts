import type { PublishResult } from '../core/event-hub'
import { instancePath, type RouteParams } from '../core/route'
import { findTopic } from '../core/topics'
import type { ChannelDefinition, TopicsOf } from '../core/wire-channel'
import type { ChannelObject } from './channel-object'
import { coordinatorName, instanceName } from './object-names'

type AnyChannel = ChannelDefinition<string, string, any, any, any>
type ParamsOf<Channel> = Channel extends ChannelDefinition<any, infer Route, any, any, any> ? RouteParams<Route> : never

/** Publishing from outside a channel: a Worker's fetch, a cron or queue handler, another object. */
export interface ChannelPublisher {
  /** Publishes to one channel instance, e.g. `chat` at `{ room: 'general' }`, over Durable Object RPC. */
  publish<Channel extends AnyChannel, Topic extends keyof TopicsOf<Channel> & string>(
    channel: Channel,
    params: ParamsOf<Channel>,
    topic: Topic,
    data: TopicsOf<Channel>[Topic] | Uint8Array,
  ): Promise<PublishResult>
  /** Publishes a `global` topic to every instance of the channel that has subscribers. */
  broadcast<Channel extends AnyChannel, Topic extends keyof TopicsOf<Channel> & string>(
    channel: Channel,
    topic: Topic,
    data: TopicsOf<Channel>[Topic] | Uint8Array,
  ): Promise<{ instances: number }>
}

/**
 * A typed publisher over the `ChannelObject` binding in `env`
 * (`CHANNELS` unless you say otherwise).
 */
export function publisher(env: Record<string, unknown>, options: { binding?: string } = {}): ChannelPublisher {
  const binding = options.binding ?? 'CHANNELS'
  const namespace = () => {
    const found = env[binding] as DurableObjectNamespace<ChannelObject> | undefined
    if (!found || typeof found.getByName !== 'function') throw new Error(`publisher: no Durable Object binding "${binding}" in env`)
    return found
  }
  return {
    async publish(channel, params, topic, data) {
      const instance = instanceName(channel.name, instancePathFor(channel, params as Record<string, string>))
      return namespace().getByName(instance).publish(channel.name, topic, data, { instance, binding })
    },
    async broadcast(channel, topic, data) {
      const found = findTopic(channel.topics, topic)
      if (!found?.spec.global) throw new Error(`publisher.broadcast: topic "${topic}" is not a global topic of channel "${channel.name}"`)
      return namespace().getByName(coordinatorName(channel.name, found.key)).topicPublish(channel.name, topic, data)
    },
  }
}

/** The instance path for route params, refusing missing or non-string ones. */
export function instancePathFor(channel: AnyChannel, params: Record<string, string>): string {
  for (const name of channel.route.params) {
    if (typeof params?.[name] !== 'string' || params[name] === '') throw new Error(`channel "${channel.name}" (${channel.route.pattern}) needs the parameter "${name}"`)
  }
  return instancePath(channel.route, params)
}
