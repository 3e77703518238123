import { DEFAULT_REPLAY, type ReplayOptions } from '../core/event-hub/topics'
import type { LimitOptions } from '../core/limits'
import type { BuiltInActionName } from '../core/protocol/actions'
import { ERROR_CODES, type ErrorCode } from '../core/protocol/frames'
import { PresenceInputSchema, PresenceReplySchema, SubscribeInputSchema, SubscribeReplySchema, UnsubscribeInputSchema, UnsubscribeReplySchema } from '../core/protocol/schemas'
import { isPattern } from '../core/protocol/topics'
import type { WireProtocol } from '../core/protocol/wire-format'
import type { FunctionKind, Permissions } from '../core/types'
import type { ChannelDefinition, ResolvedHandler } from '../core/wiring/channel-definition'
import { toJson, type JsonSchema } from './json-schema'

/** Everything wired, as plain JSON: what `pikku-durable-channels gen` writes to `channels.meta.json`. */
export interface ChannelsMeta {
  /** Version of this metadata format. */
  version: 1
  /** Wire protocol version the channels speak (PROTOCOL.md). */
  protocol: 1
  /** Sorted by name. */
  channels: ChannelMeta[]
  /** The `$` actions every channel answers. */
  builtInActions: BuiltInActionMeta[]
  /** The closed set of `error.code` values a client can receive. */
  errorCodes: ErrorCode[]
}

export interface ChannelMeta {
  name: string
  /** The route pattern as wired, e.g. `/chat/:room`. */
  route: string
  /** Path parameter names, in route order. */
  params: string[]
  /** The frame field that names the action (`action` unless the wiring spells out another). */
  routingKey: string
  /** The wire mode the channel speaks: protocol v1, or Pikku's (PROTOCOL.md, "Pikku wire mode"). */
  protocol: WireProtocol
  /** Whether messages need a session when nothing more specific says. */
  auth: boolean
  /** Whether the channel has its own upgrade authenticator. */
  authenticate: boolean
  tags: string[]
  /** Only the limits the wiring set (the router's and the defaults apply to the rest). */
  limits: LimitOptions
  /** The opening data schema (input side), or null when opening data is the route params and query. */
  openingData: JsonSchema | null
  handlers: {
    /** Its `output` is the `welcome` frame's `data`. */
    onConnect: HandlerMeta | null
    onDisconnect: HandlerMeta | null
    onMessage: HandlerMeta | null
    onBinaryMessage: HandlerMeta | null
  }
  /** Sorted by name. */
  actions: ActionMeta[]
  /** Sorted by topic. */
  topics: TopicMeta[]
  /** The replay log, defaults filled in, or false when the channel keeps none. */
  replay: Required<ReplayOptions> | false
  /** Presence (`$presence` and `presence` frames), defaults filled in, or false when the channel has none. */
  presence: PresenceMeta | false
}

export interface PresenceMeta {
  /** Above this many members, watchers get the count and a sample. */
  largeRoom: number
  sample: number
  /** Whether `$presence` needs a session. */
  auth: boolean
  /** Whether the channel maps connections to what others see (`presence.of`); else members show their id. */
  mapped: boolean
}

/** One handler with the rules that apply to it on this channel. */
export interface HandlerMeta {
  kind: FunctionKind
  /** Resolved: the wiring's override, the function's own, `pikkuFunc`'s rule, the channel's default. */
  auth: boolean
  /** Permission key -> how many checks it holds (all must pass); any one key passing is enough. */
  permissions: PermissionsMeta | null
  title: string | null
  tags: string[]
  input: JsonSchema | null
  output: JsonSchema | null
}

export interface ActionMeta extends HandlerMeta {
  name: string
}

/** Permission checks are functions, so only the keys and their sizes can be described. */
export type PermissionsMeta = Record<string, number>

export interface TopicMeta {
  /** The declaration: a topic, or a pattern such as `typing:*`. */
  topic: string
  pattern: boolean
  /** Whether `$subscribe` needs a session (the topic's `auth`, else the channel's). */
  auth: boolean
  permissions: PermissionsMeta | null
  /** Whether its events are kept for `$subscribe` with `since`. */
  replay: boolean
  /** Whether publishes reach every instance of the channel. */
  global: boolean
  /** The payload schema (output side), or null for any JSON. */
  schema: JsonSchema | null
}

export interface BuiltInActionMeta {
  name: BuiltInActionName
  description: string
  /** Fields of the frame besides `action` and `id`, or null for none. */
  input: JsonSchema | null
  /** `pong`: answered with `{"type":"pong"}`; `reply`: a `reply` frame whose `data` is `output`. */
  answer: 'pong' | 'reply'
  output: JsonSchema | null
}

/** Anything that holds wired channels: the `registry`, its `channels` map, or a list of definitions. */
export type ChannelSource = { readonly channels: ReadonlyMap<string, ChannelDefinition> } | ReadonlyMap<string, ChannelDefinition> | Iterable<ChannelDefinition>

/**
 * Describes wired channels as plain JSON, in an order that depends only on
 * their names, so the same wirings always give the same metadata.
 */
export function describeChannels(source: ChannelSource): ChannelsMeta {
  return {
    version: 1,
    protocol: 1,
    channels: channelList(source).sort(byKey((c) => c.name)).map(describeChannel),
    builtInActions: builtInActions(),
    errorCodes: [...ERROR_CODES],
  }
}

function channelList(source: ChannelSource): ChannelDefinition[] {
  if (source instanceof Map) return [...source.values()]
  if ('channels' in source && source.channels instanceof Map) return [...source.channels.values()]
  return [...(source as Iterable<ChannelDefinition>)]
}

/** Describes one channel; see {@link describeChannels}. */
export function describeChannel(channel: ChannelDefinition): ChannelMeta {
  return {
    name: channel.name,
    route: channel.route.pattern,
    params: [...channel.route.params],
    routingKey: channel.routingKey,
    protocol: channel.protocol,
    auth: channel.auth,
    authenticate: channel.authenticate !== undefined,
    tags: [...channel.tags],
    limits: definedOnly(channel.limits),
    openingData: channel.openingData ? toJson(channel.openingData, 'input') : null,
    handlers: {
      onConnect: handler(channel.onConnect),
      onDisconnect: handler(channel.onDisconnect),
      onMessage: handler(channel.onMessage),
      onBinaryMessage: handler(channel.onBinaryMessage),
    },
    actions: [...channel.actions.values()].sort(byKey((a) => a.name)).map((action) => ({ name: action.name, ...describeHandler(action) })),
    topics: Object.keys(channel.topics)
      .sort()
      .map((topic) => {
        const spec = channel.topics[topic]!
        return {
          topic,
          pattern: isPattern(topic),
          auth: spec.auth ?? channel.auth,
          permissions: permissionsMeta(spec.permissions),
          replay: channel.replay !== false && spec.replay !== false,
          global: spec.global === true,
          schema: spec.schema ? toJson(spec.schema, 'output') : null,
        }
      }),
    replay: channel.replay === false ? false : { ...DEFAULT_REPLAY, ...definedOnly(channel.replay ?? {}) },
    presence: channel.presence
      ? { largeRoom: channel.presence.largeRoom, sample: channel.presence.sample, auth: channel.presence.auth ?? channel.auth, mapped: channel.presence.of !== undefined }
      : false,
  }
}

function handler(action: ResolvedHandler | undefined): HandlerMeta | null {
  return action ? describeHandler(action) : null
}

function describeHandler(action: ResolvedHandler): HandlerMeta {
  const { func } = action
  return {
    kind: func.kind,
    auth: action.auth,
    permissions: permissionsMeta(action.permissions),
    title: typeof func.title === 'string' ? func.title : null,
    tags: Array.isArray(func.tags) ? [...func.tags] : [],
    input: func.input ? toJson(func.input, 'input') : null,
    output: func.output ? toJson(func.output, 'output') : null,
  }
}

function permissionsMeta(permissions: Permissions | undefined): PermissionsMeta | null {
  if (!permissions) return null
  const out: PermissionsMeta = {}
  for (const key of Object.keys(permissions).sort()) {
    const group = permissions[key]
    out[key] = Array.isArray(group) ? group.length : 1
  }
  return out
}

/** The `$` actions, with the protocol's own input and reply schemas (the runtime validates their input with the same ones). */
function builtInActions(): BuiltInActionMeta[] {
  return [
    {
      name: '$ping',
      description: 'Keepalive. The exact text {"action":"$ping"} is answered without waking a hibernated object.',
      input: null,
      answer: 'pong',
      output: null,
    },
    {
      name: '$subscribe',
      description: 'Subscribes this connection to a declared topic or pattern; with `since`, missed events arrive before the reply.',
      input: toJson(SubscribeInputSchema, 'input'),
      answer: 'reply',
      output: toJson(SubscribeReplySchema, 'output'),
    },
    {
      name: '$unsubscribe',
      description: 'Unsubscribes this connection from a topic or pattern.',
      input: toJson(UnsubscribeInputSchema, 'input'),
      answer: 'reply',
      output: toJson(UnsubscribeReplySchema, 'output'),
    },
    {
      name: '$presence',
      description: 'Who is here now; unless `watch` is false, `presence` frames follow as members join, leave and change. Only on channels wired with presence.',
      input: toJson(PresenceInputSchema, 'input'),
      answer: 'reply',
      output: toJson(PresenceReplySchema, 'output'),
    },
  ]
}

/** Code-unit order, the same in every locale. */
function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
}

function definedOnly<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
