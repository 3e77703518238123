import { ChannelError } from '../errors'
import type { EventHub } from '../event-hub/event-hub'
import type { Logger } from '../logger'
import type { EventHubService, PublishResult } from '../types'
import type { SubscriptionCallback, SubscriptionCallbacks } from './subscription-callbacks'

/** What `services.eventHub` needs from the runtime hosting the connection. */
export interface EventHubHost {
  readonly channelName: string
  readonly hub: EventHub
  readonly callbacks: SubscriptionCallbacks
  readonly logger: Logger
  /** Whether a connection of this instance with that id is open. */
  hasConnection(channelId: string): boolean
}

/** Channels already told about callback subscriptions: the warning comes once per channel, not per message. */
const warnedChannels = new Set<string>()

/**
 * `services.eventHub` for one connection, in every form the seeds and Pikku
 * use: `subscribe(topic)`, `subscribe(topic, channelId)`,
 * `subscribe(topic, callback)`; `publish(topic, data, options?)` and Pikku's
 * `publish(topic, channelId | null, data, isBinary?)`; `unsubscribe(topic, channelId?)`.
 */
export function eventHubService(host: EventHubHost, channelId: string): EventHubService<Record<string, unknown>> {
  const connection = (other: unknown, call: string): string => {
    if (other === undefined || other === channelId) return channelId
    if (typeof other !== 'string') throw new TypeError(`eventHub.${call}(topic, channelId): channelId must be a string, got ${typeof other}`)
    if (!host.hasConnection(other)) throw new ChannelError('INVALID_INPUT', `eventHub.${call}: no open connection "${other}" in this channel instance`)
    return other
  }
  return {
    async subscribe(topic: string, target?: string | SubscriptionCallback) {
      if (typeof target !== 'function') return host.hub.subscribe(connection(target, 'subscribe'), topic)
      await host.hub.subscribe(channelId, topic, 'message')
      host.callbacks.set(channelId, topic, target)
      warnOnce(host)
    },
    async unsubscribe(topic: string, other?: string) {
      const id = connection(other, 'unsubscribe')
      host.callbacks.delete(id, topic)
      await host.hub.unsubscribe(id, topic)
    },
    publish(topic: string, ...args: unknown[]): Promise<PublishResult> {
      const { data, skip } = readPublish(args, host)
      return host.hub.publish(topic, data, { skip: skip === true ? channelId : skip })
    },
  } as EventHubService<Record<string, unknown>>
}

/**
 * Tells the two publish forms apart by argument count and type, never by
 * looking into the payload. Pikku's is `(topic, channelId | null, data, isBinary?)`:
 * four arguments; or three whose second is `null` or a string and whose third
 * is not an options object (`undefined` or `{ skipSender? }`); or three whose
 * second names an open connection of this instance. Anything else is ours,
 * `(topic, data, options?)`. So `publish(topic, null, { skipSender: true })`
 * publishes `null`, and only a Pikku payload that is itself `{}` or
 * `{ skipSender }`, sent with a `null` or departed sender, reads as ours.
 */
function readPublish(args: unknown[], host: EventHubHost): { data: unknown; skip: string | true | undefined } {
  // `args` are what follow the topic.
  const [second, third, isBinary] = args
  const maybeSender = second === null || typeof second === 'string'
  const pikku = args.length >= 3 || (args.length === 2 && maybeSender && (!isPublishOptions(third) || (typeof second === 'string' && host.hasConnection(second))))
  if (pikku) return { data: isBinary === true ? asBytes(third) : third, skip: typeof second === 'string' ? second : undefined }
  if (!isPublishOptions(third)) throw new TypeError('eventHub.publish(topic, data, options): options must be { skipSender?: boolean }')
  return { data: second, skip: third?.skipSender === true ? true : undefined }
}

function isPublishOptions(value: unknown): value is { skipSender?: boolean } | undefined {
  if (value === undefined) return true
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return Object.entries(value).every(([key, v]) => key === 'skipSender' && (v === undefined || typeof v === 'boolean'))
}

/** Pikku's `isBinary`: the payload goes out as bytes. */
function asBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (typeof data === 'string') return new TextEncoder().encode(data)
  throw new TypeError('eventHub.publish(topic, channelId, data, true): binary data must be an ArrayBuffer, a typed array or a string')
}

function warnOnce(host: EventHubHost): void {
  if (warnedChannels.has(host.channelName)) return
  warnedChannels.add(host.channelName)
  host.logger.warn('channel.subscribe_callback', {
    channel: host.channelName,
    message:
      'eventHub.subscribe(topic, callback): the callback runs while this object is awake; after it hibernates, deliveries are sent as channel.send(data). ' +
      'If your callback reshapes the data, move that into channelMiddleware so it applies after a wake too.',
  })
}
