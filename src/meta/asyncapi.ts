import type { BuiltInActionMeta, ChannelMeta, ChannelsMeta, HandlerMeta } from './describe'
import type { JsonSchema, JsonValue } from './json-schema'

/** What `toAsyncAPI` cannot learn from the wirings. */
export interface AsyncAPIOptions {
  /** `info.title`; default `'Channels'`. */
  title?: string
  /** `info.version`, the version of your app; default `'0.0.0'`. */
  version?: string
  /** Prepended to the generated `info.description`. */
  description?: string
}

/** An AsyncAPI 3.0.0 document, as plain JSON. */
export type AsyncAPIDocument = { asyncapi: '3.0.0' } & { [key: string]: JsonValue }

type Ref = { $ref: string }
type Message = { id: string; ref: Ref }

// Keys of `channels`, `operations`, `components.*` and `channels.<id>.messages` must match this.
const UNSAFE_ID_CHARS = /[^A-Za-z0-9._-]/g

/** Hands out ids that fit AsyncAPI's key pattern, unique within one map. */
class Ids {
  readonly #taken = new Set<string>()

  take(wanted: string): string {
    const base = wanted.replace(UNSAFE_ID_CHARS, '_') || '_'
    let id = base
    for (let n = 2; this.#taken.has(id); n++) id = `${base}_${n}`
    this.#taken.add(id)
    return id
  }
}

/**
 * Protocol v1 for the described channels, as an AsyncAPI 3.0.0 document,
 * written from the client's side: `send` operations are frames a client
 * sends, `receive` operations frames it is sent. Each channel gets its own
 * AsyncAPI channel (`/chat/{room}`), messages for each action's request,
 * reply and error frames, `welcome`, `message`, an `event` frame per topic,
 * the built-in `$` actions, and binary frames; schemas live in
 * `components.schemas` and are referenced with `$ref: '#/components/...'`.
 */
export function toAsyncAPI(meta: ChannelsMeta, options: AsyncAPIOptions = {}): AsyncAPIDocument {
  const schemas: Record<string, JsonValue> = {}
  const messages: Record<string, JsonValue> = {}
  const channels: Record<string, JsonValue> = {}
  const operations: Record<string, JsonValue> = {}
  const schemaIds = new Ids()
  const messageIds = new Ids()
  const channelIds = new Ids()
  const operationIds = new Ids()

  /** Adds a schema to `components.schemas` (its `$defs` hoisted beside it) and returns a reference. */
  const addSchema = (wanted: string, schema: JsonSchema): Ref => {
    const id = schemaIds.take(wanted)
    const { $schema: _draft, $defs, definitions, ...body } = schema
    const renamed = new Map<string, string>()
    const hoisted: [string, JsonValue][] = []
    for (const [prefix, defs] of [['#/$defs/', $defs], ['#/definitions/', definitions]] as const) {
      if (!isObject(defs)) continue
      for (const key of Object.keys(defs).sort()) {
        const defId = schemaIds.take(`${id}.${key}`)
        renamed.set(prefix + escapePointer(key), `#/components/schemas/${defId}`)
        hoisted.push([defId, defs[key]!])
      }
    }
    schemas[id] = rewriteRefs(body, renamed)
    for (const [defId, def] of hoisted) schemas[defId] = rewriteRefs(def, renamed)
    return ref(`#/components/schemas/${id}`)
  }
  const schemaOrAny = (wanted: string, schema: JsonSchema | null): JsonValue => (schema ? addSchema(wanted, schema) : {})

  const RequestId = addSchema('RequestId', {
    description: 'Correlates a request with its reply or error: a string of up to 128 characters, or a finite number.',
    anyOf: [{ type: 'string', maxLength: 128 }, { type: 'number' }],
  })
  const ErrorCode = addSchema('ErrorCode', { type: 'string', enum: [...meta.errorCodes] })
  const ErrorPayload = addSchema('ErrorPayload', {
    type: 'object',
    properties: {
      code: ErrorCode,
      message: { type: 'string' },
      issues: {
        type: 'array',
        description: 'Validation problems (INVALID_INPUT), each with the path from the root of the input.',
        items: {
          type: 'object',
          properties: { message: { type: 'string' }, path: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } } },
          required: ['message'],
        },
      },
    },
    required: ['code', 'message'],
  })
  const correlationId = { description: 'The request `id`, echoed back', location: '$message.payload#/id' }

  for (const channel of meta.channels) {
    const chId = channelIds.take(channel.name)
    const channelRef = ref(`#/channels/${chId}`)
    const localIds = new Ids()
    const channelMessages: Record<string, JsonValue> = {}

    /** Adds a message to `components.messages` and to this channel; returns its channel-local reference. */
    const addMessage = (wanted: string, message: { title: string; summary?: string; payload: JsonValue; correlated?: boolean; binary?: boolean }): Message => {
      const id = localIds.take(wanted)
      const componentId = messageIds.take(`${chId}.${id}`)
      const body: Record<string, JsonValue> = {
        name: `${channel.name}.${id}`,
        title: message.title,
        contentType: message.binary ? 'application/octet-stream' : 'application/json',
        payload: message.payload,
      }
      if (message.summary) body.summary = message.summary
      if (message.correlated) body.correlationId = correlationId
      messages[componentId] = body
      channelMessages[id] = ref(`#/components/messages/${componentId}`)
      return { id, ref: ref(`#/channels/${chId}/messages/${id}`) }
    }
    const addOperation = (wanted: string, action: 'send' | 'receive', title: string, sent: Message[], replies?: Message[]) => {
      const operation: Record<string, JsonValue> = { action, channel: channelRef, title, messages: sent.map((m) => m.ref) }
      if (replies) operation.reply = { channel: channelRef, messages: replies.map((m) => m.ref) }
      operations[operationIds.take(`${chId}.${wanted}`)] = operation
    }
    const frame = (wanted: string, properties: Record<string, JsonValue>, required: string[], description?: string): Ref =>
      addSchema(`${chId}.${wanted}`, { type: 'object', ...(description ? { description } : {}), properties, required })

    // The generic error frame: bad frames, built-in actions, onMessage.
    const error = addMessage('error', {
      title: 'Error',
      summary: 'A request failed; `action` and `id` are echoed when they could be read. Never closes the connection.',
      payload: frame('error', { type: { const: 'error' }, action: { type: 'string' }, id: RequestId, error: ErrorPayload }, ['type', 'error']),
      correlated: true,
    })

    const welcome = addMessage('welcome', {
      title: 'Welcome',
      summary: "Always the first frame of a connection; `data` is what onConnect returned (absent if nothing).",
      payload: frame(
        'welcome',
        { type: { const: 'welcome' }, channelId: { type: 'string', description: "This connection's unique id" }, data: schemaOrAny(`${chId}.onConnect.output`, channel.handlers.onConnect?.output ?? null) },
        ['type', 'channelId'],
      ),
    })
    addOperation('welcome', 'receive', 'Welcome', [welcome])

    // One id per action and topic, so all of one's messages and schemas share it.
    const nameIds = new Ids()
    for (const action of channel.actions) {
      const name = `action.${nameIds.take(action.name)}`
      const input = schemaOrAny(`${chId}.${name}.input`, action.input)
      const output = schemaOrAny(`${chId}.${name}.output`, action.output)
      const request = addMessage(`${name}.request`, {
        title: action.title ?? `${action.name} request`,
        summary: `Calls "${action.name}". Without a \`data\` field, every field but "${channel.routingKey}" and \`id\` is the input.${authNote(action)}`,
        payload: frame(`${name}.request`, { [channel.routingKey]: { const: action.name }, id: RequestId, data: input }, [channel.routingKey]),
        correlated: true,
      })
      const reply = addMessage(`${name}.reply`, {
        title: `${action.name} reply`,
        summary: 'The return value as `data`. With an `id` and no return value, no `data`; with neither, no reply at all.',
        payload: frame(`${name}.reply`, { type: { const: 'reply' }, action: { const: action.name }, id: RequestId, data: output }, ['type', 'action']),
        correlated: true,
      })
      const failed = addMessage(`${name}.error`, {
        title: `${action.name} error`,
        payload: frame(`${name}.error`, { type: { const: 'error' }, action: { const: action.name }, id: RequestId, error: ErrorPayload }, ['type', 'action', 'error']),
        correlated: true,
      })
      addOperation(name, 'send', action.title ?? action.name, [request], [reply, failed])
    }

    const onMessage = channel.handlers.onMessage
    if (onMessage) {
      const request = addMessage('onMessage.request', {
        title: 'Unrouted message',
        summary: `A frame with no "${channel.routingKey}", or one naming no wired action, goes to onMessage.${authNote(onMessage)}`,
        payload: frame('onMessage.request', { [channel.routingKey]: { type: 'string' }, id: RequestId, data: schemaOrAny(`${chId}.onMessage.input`, onMessage.input) }, []),
        correlated: true,
      })
      const reply = addMessage('onMessage.reply', {
        title: 'Unrouted message reply',
        payload: frame('onMessage.reply', { type: { const: 'reply' }, action: { type: 'string' }, id: RequestId, data: schemaOrAny(`${chId}.onMessage.output`, onMessage.output) }, ['type']),
        correlated: true,
      })
      addOperation('onMessage', 'send', 'Unrouted message', [request], [reply, error])
    }

    for (const builtIn of meta.builtInActions) addBuiltIn(builtIn)
    function addBuiltIn(builtIn: BuiltInActionMeta): void {
      const name = `builtin.${builtIn.name.slice(1)}`
      const fields = builtIn.input && isObject(builtIn.input.properties) ? builtIn.input.properties : {}
      const required = builtIn.input && Array.isArray(builtIn.input.required) ? (builtIn.input.required as string[]) : []
      const request = addMessage(`${name}.request`, {
        title: builtIn.name,
        summary: builtIn.description,
        payload: frame(`${name}.request`, { action: { const: builtIn.name }, id: RequestId, ...fields }, ['action', ...required]),
        correlated: true,
      })
      const answer =
        builtIn.answer === 'pong'
          ? addMessage('builtin.pong', { title: 'Pong', payload: frame('builtin.pong', { type: { const: 'pong' }, id: RequestId }, ['type']), correlated: true })
          : addMessage(`${name}.reply`, {
              title: `${builtIn.name} reply`,
              payload: frame(`${name}.reply`, { type: { const: 'reply' }, action: { const: builtIn.name }, id: RequestId, data: schemaOrAny(`${chId}.${name}.output`, builtIn.output) }, ['type', 'action', 'data']),
              correlated: true,
            })
      addOperation(name, 'send', builtIn.name, [request], builtIn.answer === 'pong' ? [answer] : [answer, error])
    }

    const topicIds = new Ids()
    for (const topic of channel.topics) {
      const name = `event.${topicIds.take(topic.topic.replace(/\*$/, 'any'))}`
      const topicSchema: JsonValue = topic.pattern
        ? topic.topic === '*'
          ? { type: 'string' }
          : { type: 'string', pattern: `^${escapeRegExp(topic.topic.slice(0, -1))}` }
        : { const: topic.topic }
      const event = addMessage(name, {
        title: `${topic.topic} event`,
        summary: `An EventHub delivery on ${topic.pattern ? `a topic matching "${topic.topic}"` : `"${topic.topic}"`}. \`seq\` is monotonic per channel instance (it may skip). A binary event has \`binary: true\`, no \`data\`, and its payload in the next binary frame.${topic.global ? ' Published to every instance of the channel.' : ''}${topic.replay ? ' Kept for replay.' : ''}`,
        payload: frame(
          name,
          {
            type: { const: 'event' },
            topic: topicSchema,
            data: schemaOrAny(`${chId}.${name}.data`, topic.schema),
            seq: { type: 'integer', minimum: 0 },
            binary: { const: true },
          },
          ['type', 'topic', 'seq'],
        ),
      })
      addOperation(name, 'receive', `${topic.topic} events`, [event])
    }

    const sent = addMessage('message', {
      title: 'Message',
      summary: 'An explicit channel.send(data) from the server.',
      payload: frame('message', { type: { const: 'message' }, data: {} }, ['type']),
    })
    addOperation('message', 'receive', 'Messages', [sent])
    addOperation('error', 'receive', 'Errors', [error])

    const binary = addMessage('binary', {
      title: 'Binary frame',
      summary: 'Raw bytes: channel.send(bytes, true), the payload of a binary event, or what onBinaryMessage returned.',
      payload: { type: 'string', format: 'binary' },
      binary: true,
    })
    addOperation('binary.receive', 'receive', 'Binary frames', [binary])
    const onBinary = channel.handlers.onBinaryMessage
    if (onBinary) addOperation('binary.send', 'send', 'Binary frames to onBinaryMessage', [binary], [binary, error])

    channels[chId] = {
      address: toAddress(channel.route),
      title: channel.name,
      description: channelDescription(channel),
      ...(channel.params.length > 0 ? { parameters: Object.fromEntries(channel.params.map((param) => [param, { description: `Path parameter ":${param}" of ${channel.route}; part of the opening data.` }])) } : {}),
      messages: channelMessages,
      bindings: { ws: wsBinding(channel) },
    }
  }

  const intro = options.description ? `${options.description}\n\n` : ''
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Channels',
      version: options.version ?? '0.0.0',
      description: `${intro}Wire protocol v1 of pikku-durable-channels (see PROTOCOL.md), from the client's side: \`send\` operations are frames the client sends, \`receive\` operations frames it is sent. Every text frame is one JSON object.`,
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  }
}

/** `/chat/:room` -> `/chat/{room}`. */
export function toAddress(route: string): string {
  return route.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')
}

function channelDescription(channel: ChannelMeta): string {
  const lines = [`Channel "${channel.name}", wired at ${channel.route}: one instance (Durable Object) per filled-in route.`]
  lines.push(channel.auth ? 'Messages need a session unless an action says otherwise.' : 'Messages need no session unless an action says otherwise.')
  if (channel.routingKey !== 'action') lines.push(`Actions are named by the "${channel.routingKey}" field; built-in $ actions always by "action".`)
  return lines.join(' ')
}

/** The WebSocket binding: a GET upgrade, and the opening data's query values when its schema says. */
function wsBinding(channel: ChannelMeta): JsonValue {
  const binding: Record<string, JsonValue> = { method: 'GET', bindingVersion: '0.1.0' }
  const opening = channel.openingData
  if (opening && opening.type === 'object' && isObject(opening.properties) && !hasRefs(opening)) {
    const properties = Object.fromEntries(Object.entries(opening.properties).filter(([key]) => !channel.params.includes(key)))
    if (Object.keys(properties).length > 0) {
      const required = Array.isArray(opening.required) ? opening.required.filter((key) => typeof key === 'string' && Object.hasOwn(properties, key)) : []
      binding.query = { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
    }
  }
  return binding
}

function authNote(handler: HandlerMeta): string {
  const parts = [handler.auth ? ' Needs a session.' : '']
  if (handler.permissions) parts.push(` Permissions: any of ${Object.keys(handler.permissions).join(', ')}.`)
  return parts.join('')
}

function ref($ref: string): Ref {
  return { $ref }
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasRefs(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some(hasRefs)
  if (!isObject(value)) return false
  return Object.entries(value).some(([key, item]) => key === '$ref' || key === '$defs' || key === 'definitions' || hasRefs(item))
}

/** Points a converted schema's local `$ref`s at their hoisted copies. */
function rewriteRefs(value: JsonValue, renamed: ReadonlyMap<string, string>): JsonValue {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renamed))
  if (!isObject(value)) return value
  const out: { [key: string]: JsonValue } = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: key === '$ref' && typeof item === 'string' ? (renamed.get(item) ?? item) : rewriteRefs(item, renamed),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
