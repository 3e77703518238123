import { ChannelError, EventHubError } from '../core/errors'
import type { PublishResult } from '../core/types'
import { checkEventDepth, checkEventSize, eventPayload, validateEvent } from '../core/event-hub/event-checks'
import { lookUpTopic, type TopicSpec } from '../core/event-hub/topics'
import { resolveLimits, type LimitOptions } from '../core/limits'
import type { HandshakeErrorCode } from '../core/protocol/handshake'
import type { AnyChannel, ChannelDefinition, TopicsOf } from '../core/wiring/channel-definition'
import { instancePath, type RouteParams } from '../core/wiring/route'
import { channelNamespace, coordinatorName, DEFAULT_BINDING, instanceName, shardName, type InstanceAddress } from './addressing'

type ParamsOf<Channel> = Channel extends ChannelDefinition<any, infer Route, any, any, any> ? RouteParams<Route> : never

/** What an instance answers a publish from outside: the result, or why the publish is the caller's to fix. */
export type PublishOutcome = { result: PublishResult } | { refused: string; code: PublishErrorCode }

/**
 * Runs a publish and says how it went, in a form that survives Durable
 * Object RPC (which keeps an error's message, not its class): the caller's
 * mistakes (an `EventHubError`, or a malformed topic's `ChannelError`) come
 * back as `refused`, with their code.
 */
export async function publishOutcome(publish: () => Promise<PublishResult>): Promise<PublishOutcome> {
  try {
    return { result: await publish() }
  } catch (error) {
    if (error instanceof EventHubError) return { refused: capitalize(error.problem), code: error.code }
    if (error instanceof ChannelError) return { refused: capitalize(error.message.replace(/^eventHub: /, '')), code: 'INVALID_INPUT' }
    throw error
  }
}

/** The RPC surface of `ChannelObject` a publisher uses. */
interface PublisherRpc extends Rpc.DurableObjectBranded {
  publish(channel: string, topic: string, data: unknown, address: InstanceAddress): Promise<PublishOutcome>
  topicFanOut(channel: string, topic: string, data: unknown): Promise<{ instances: number }>
  move(channel: string, retryAfterMs: number, why?: string): Promise<{ moved: number }>
}

/**
 * A publish the caller must fix: a malformed or undeclared topic, missing
 * route params, a broadcast of a topic that is not global, an event that fails
 * its schema, nests too deep or is larger than the channel's `maxMessageSize`.
 * Anything else a publisher throws is a server failure.
 */
export class PublishError extends Error {
  override readonly name = 'PublishError'

  constructor(
    /** The status the publish route answers with comes from this code: 400, or 413 for an event too large. */
    readonly code: PublishErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export type PublishErrorCode = Extract<HandshakeErrorCode, 'INVALID_INPUT' | 'TOO_LARGE'>

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
  /**
   * Asks every client of one channel instance to reconnect (before planned
   * maintenance, or to move a room): each socket closes with 4503 and
   * `retryAfterMs=<n>`, and the typed client comes back after `retryAfterMs`
   * plus a random part of its `restartSpreadMs`, resubscribing with `since`.
   */
  move<Channel extends AnyChannel>(channel: Channel, params: ParamsOf<Channel>, options?: { retryAfterMs?: number; reason?: string }): Promise<{ moved: number }>
}

export interface PublisherOptions {
  /** The `ChannelObject` binding. Default `CHANNELS`. */
  binding?: string
  /** The limits given to `channels()`, for channels without their own: an event larger than `maxMessageSize` is refused. */
  limits?: LimitOptions
}

/**
 * A typed publisher over the `ChannelObject` binding in `env`
 * (`CHANNELS` unless you say otherwise). Caller mistakes throw `PublishError`.
 */
export function publisher(env: Record<string, unknown>, options: PublisherOptions = {}): ChannelPublisher {
  const binding = options.binding ?? DEFAULT_BINDING
  const namespace = () => channelNamespace<PublisherRpc>(env, binding, 'publisher')
  return {
    async publish(channel, params, topic, data) {
      const { spec } = declarationOf(channel, topic)
      const instance = instanceName(channel.name, pathOf(channel, params as Record<string, string>))
      // The instance validates against the schema; the RPC to it would fail on a value too deep to copy or too large to send.
      await checkedEvent(channel, topic, { ...spec, schema: undefined }, data, options.limits)
      const outcome = await namespace().getByName(instance).publish(channel.name, topic, data, { instance, binding })
      if ('refused' in outcome) throw new PublishError(outcome.code, outcome.refused)
      return outcome.result
    },
    async move(channel, params, { retryAfterMs = 0, reason } = {}) {
      if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) throw new PublishError('INVALID_INPUT', `move: retryAfterMs must be a number of ms, 0 or more; got ${String(retryAfterMs)}`)
      const instance = instanceName(channel.name, pathOf(channel, params as Record<string, string>))
      // Every shard's clients, for a sharded channel.
      const shards = Array.from({ length: channel.shards }, (_, shard) => namespace().getByName(shardName(instance, shard)).move(channel.name, retryAfterMs, reason))
      const moved = await Promise.all(shards)
      return { moved: moved.reduce((sum, { moved }) => sum + moved, 0) }
    },
    async broadcast(channel, topic, data) {
      const { key, spec } = declarationOf(channel, topic)
      if (!spec.global) throw new PublishError('INVALID_INPUT', `Topic "${topic}" is not a global topic of channel "${channel.name}": give the instance's params`)
      // The coordinator forwards without looking, so everything an instance checks of its own publishes is checked here.
      const value = await checkedEvent(channel, topic, spec, data, options.limits)
      return namespace().getByName(coordinatorName(channel.name, key)).topicFanOut(channel.name, topic, value)
    },
  }
}

/**
 * EventHub's checks of an event, made outside any instance: its depth, its
 * schema (when `spec` has one), its size against the channel's
 * `maxMessageSize`. What they refuse is a `PublishError`.
 */
async function checkedEvent(channel: AnyChannel, topic: string, spec: TopicSpec, data: unknown, limits: LimitOptions | undefined): Promise<unknown> {
  try {
    checkEventDepth(topic, data)
    const value = spec.schema ? await validateEvent(topic, spec.schema, data) : data
    checkEventSize(topic, eventPayload(value), resolveLimits(channel.limits, limits).maxMessageSize, "the channel's maxMessageSize")
    return value
  } catch (error) {
    if (error instanceof EventHubError) throw new PublishError(error.code, capitalize(error.problem))
    throw error
  }
}

function declarationOf(channel: AnyChannel, topic: string) {
  const found = lookUpTopic(channel.topics, channel.name, topic, false)
  if ('problem' in found) throw new PublishError('INVALID_INPUT', capitalize(found.problem))
  return found.declaration
}

/** The instance path for route params, refusing missing or non-string ones. */
function pathOf(channel: AnyChannel, params: Record<string, string>): string {
  for (const name of channel.route.params) {
    if (typeof params?.[name] !== 'string' || params[name] === '') throw new PublishError('INVALID_INPUT', `Channel "${channel.name}" (${channel.route.pattern}) needs the parameter "${name}"`)
  }
  return instancePath(channel.route, params)
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
