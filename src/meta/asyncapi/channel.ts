import type { ActionMeta, BuiltInActionMeta, ChannelMeta, HandlerMeta, TopicMeta } from '../describe'
import type { JsonSchema, JsonValue } from '../json-schema'
import { channelEntry } from './channel-entry'
import { ref, type Ref, type SchemaComponents } from './components'
import type { Envelopes } from './envelopes'
import { IdMap, Ids } from './ids'
import { actionRequest, builtInRequest, errorFrame, replyFrame, topicBinaryHeader, topicEvent, unroutedRequest, welcomeFrame } from './payloads'

/** The parts of the document every channel adds to. */
export interface DocumentParts {
  readonly schemas: SchemaComponents
  readonly messages: IdMap
  readonly operations: IdMap
  readonly channels: IdMap
  readonly envelopes: Envelopes
  /** The `$` actions, answered on every channel. */
  readonly builtInActions: readonly BuiltInActionMeta[]
  /** The path `channels()` is mounted at, in front of every address ('' for none). */
  readonly base: string
}

/** A message of this channel, with the channel-local reference operations use. */
type Message = { id: string; ref: Ref }

interface MessageSpec {
  title: string
  summary?: string
  payload: JsonValue
  /** Answers a request: the client matches it by the `id` it sent. */
  correlated?: boolean
  binary?: boolean
}

const CORRELATION_ID = { description: 'The request `id`, echoed back', location: '$message.payload#/id' }

/**
 * Adds one channel: its AsyncAPI channel, a message for every frame it can
 * carry (each action's request, reply and error; welcome; built-in actions;
 * an event and a binary event header per topic; messages; binary frames),
 * and the send and receive operations over them. Ids of this channel's
 * schemas, messages and operations start with its id, so channels never
 * take each other's.
 */
export function addChannel(doc: DocumentParts, channel: ChannelMeta): void {
  new ChannelWriter(doc, channel).write()
}

class ChannelWriter {
  readonly #doc: DocumentParts
  readonly #envelopes: Envelopes
  readonly #channel: ChannelMeta
  readonly #id: string
  readonly #messages = new IdMap()
  // One id per action and per topic, so all of one's messages and schemas share it.
  readonly #actionNames = new Ids()
  readonly #topicNames = new Ids()

  constructor(doc: DocumentParts, channel: ChannelMeta) {
    this.#doc = doc
    this.#envelopes = doc.envelopes
    this.#channel = channel
    this.#id = doc.channels.take(channel.name)
  }

  write(): void {
    const { handlers } = this.#channel
    // The generic error frame: bad frames, built-in actions, onMessage.
    const error = this.#message('error', {
      title: 'Error',
      summary: 'A request failed; `action` and `id` are echoed when they could be read. Never closes the connection.',
      payload: this.#frame('error', this.#envelopes.error),
      correlated: true,
    })
    const welcome = this.#message('welcome', {
      title: 'Welcome',
      summary: 'Always the first frame of a connection; `data` is what onConnect returned (absent if nothing).',
      payload: this.#frame('welcome', welcomeFrame(this.#envelopes, this.#schema('onConnect.output', handlers.onConnect?.output ?? null))),
    })
    this.#operation('welcome', 'receive', 'Welcome', [welcome])
    for (const action of this.#channel.actions) this.#action(action, `action.${this.#actionNames.take(action.name)}`)
    if (handlers.onMessage) this.#onMessage(handlers.onMessage, error)
    // $presence answers only UNKNOWN_ACTION on a channel without presence: not offered there.
    for (const builtIn of this.#doc.builtInActions) if (builtIn.name !== '$presence' || this.#channel.presence) this.#builtIn(builtIn, error)
    if (this.#channel.presence) {
      const { largeRoom } = this.#channel.presence
      const presence = this.#message('presence', {
        title: 'Presence',
        summary: `Sent to connections that asked $presence: one turn's joins, updates and leaves; above ${largeRoom} members, the count and (when it changed) a sample as \`members\`.`,
        payload: this.#frame('presence', this.#envelopes.presence),
      })
      this.#operation('presence', 'receive', 'Presence', [presence])
    }
    for (const topic of this.#channel.topics) this.#topic(topic, `event.${this.#topicNames.take(topic.topic.replace(/\*$/, 'any'))}`)
    const sent = this.#message('message', { title: 'Message', summary: 'An explicit channel.send(data) from the server.', payload: this.#frame('message', this.#envelopes.message) })
    this.#operation('message', 'receive', 'Messages', [sent])
    this.#operation('error', 'receive', 'Errors', [error])
    const binary = this.#message('binary', {
      title: 'Binary frame',
      summary: 'Raw bytes: channel.send(bytes, true), the payload of a binary event, or what onBinaryMessage returned.',
      payload: { type: 'string', format: 'binary' },
      binary: true,
    })
    this.#operation('binary.receive', 'receive', 'Binary frames', [binary])
    if (handlers.onBinaryMessage) this.#operation('binary.send', 'send', 'Binary frames to onBinaryMessage', [binary], [binary, error])
    this.#doc.channels.set(this.#id, channelEntry(this.#channel, this.#messages.toObject(), this.#doc.base))
  }

  #action(action: ActionMeta, name: string): void {
    const { routingKey } = this.#channel
    const input = this.#schema(`${name}.input`, action.input)
    const output = this.#schema(`${name}.output`, action.output)
    const request = this.#message(`${name}.request`, {
      title: action.title ?? `${action.name} request`,
      summary: `Calls "${action.name}". Without a \`data\` field, every field but "${routingKey}" and \`id\` is the input.${authNote(action)}`,
      payload: this.#frame(`${name}.request`, actionRequest(this.#envelopes, routingKey, action.name, input)),
      correlated: true,
    })
    const reply = this.#message(`${name}.reply`, {
      title: `${action.name} reply`,
      summary: 'The return value as `data`. With an `id` and no return value, no `data`; with neither, no reply at all.',
      payload: this.#frame(`${name}.reply`, replyFrame(this.#envelopes, action.name, output)),
      correlated: true,
    })
    const failed = this.#message(`${name}.error`, {
      title: `${action.name} error`,
      payload: this.#frame(`${name}.error`, errorFrame(this.#envelopes, action.name)),
      correlated: true,
    })
    this.#operation(name, 'send', action.title ?? action.name, [request], [reply, failed])
  }

  /** Frames naming no wired action: the routing field may be absent or name anything. */
  #onMessage(onMessage: HandlerMeta, error: Message): void {
    const { routingKey } = this.#channel
    const request = this.#message('onMessage.request', {
      title: 'Unrouted message',
      summary: `A frame with no "${routingKey}", or one naming no wired action, goes to onMessage.${authNote(onMessage)}`,
      payload: this.#frame('onMessage.request', unroutedRequest(this.#envelopes, routingKey, this.#schema('onMessage.input', onMessage.input))),
      correlated: true,
    })
    const reply = this.#message('onMessage.reply', {
      title: 'Unrouted message reply',
      payload: this.#frame('onMessage.reply', replyFrame(this.#envelopes, undefined, this.#schema('onMessage.output', onMessage.output))),
      correlated: true,
    })
    this.#operation('onMessage', 'send', 'Unrouted message', [request], [reply, error])
  }

  /** Built-in actions are always named by `action`, and take their input as top-level fields. */
  #builtIn(builtIn: BuiltInActionMeta, error: Message): void {
    const name = `builtin.${builtIn.name.slice(1)}`
    const request = this.#message(`${name}.request`, { title: builtIn.name, summary: builtIn.description, payload: this.#frame(`${name}.request`, builtInRequest(this.#envelopes, builtIn)), correlated: true })
    if (builtIn.answer === 'pong') {
      const pong = this.#message('builtin.pong', { title: 'Pong', payload: this.#frame('builtin.pong', this.#envelopes.pong), correlated: true })
      return this.#operation(name, 'send', builtIn.name, [request], [pong])
    }
    const output = this.#schema(`${name}.output`, builtIn.output)
    const reply = this.#message(`${name}.reply`, {
      title: `${builtIn.name} reply`,
      payload: this.#frame(`${name}.reply`, replyFrame(this.#envelopes, builtIn.name, output, true)),
      correlated: true,
    })
    this.#operation(name, 'send', builtIn.name, [request], [reply, error])
  }

  /** A topic's deliveries: JSON events carrying its `data`, and headers of binary events, whose bytes follow. */
  #topic(topic: TopicMeta, name: string): void {
    const where = topic.pattern ? `a topic matching "${topic.topic}"` : `"${topic.topic}"`
    const notes = `${topic.global ? ' Published to every instance of the channel.' : ''}${topic.replay ? ' Kept for replay.' : ''}`
    const event = this.#message(name, {
      title: `${topic.topic} event`,
      summary: `An EventHub delivery on ${where}. \`seq\` is monotonic per channel instance (it may skip).${notes}`,
      payload: this.#frame(name, topicEvent(this.#envelopes, topic, this.#schema(`${name}.data`, topic.schema))),
    })
    const header = this.#message(`${name}.binary`, {
      title: `${topic.topic} binary event`,
      summary: `The header of a binary event on ${where}: no \`data\`; the payload is the next frame, a binary one.${notes}`,
      payload: this.#frame(`${name}.binary`, topicBinaryHeader(this.#envelopes, topic)),
    })
    this.#operation(name, 'receive', `${topic.topic} events`, [event, header])
  }

  /** Adds a message to `components.messages` and to this channel. */
  #message(wanted: string, spec: MessageSpec): Message {
    const id = this.#messages.take(wanted)
    const componentId = this.#doc.messages.add(`${this.#id}.${id}`, {
      name: `${this.#channel.name}.${id}`,
      title: spec.title,
      ...(spec.summary ? { summary: spec.summary } : {}),
      contentType: spec.binary ? 'application/octet-stream' : 'application/json',
      payload: spec.payload,
      ...(spec.correlated ? { correlationId: CORRELATION_ID } : {}),
    })
    this.#messages.set(id, ref(`#/components/messages/${componentId}`))
    return { id, ref: ref(`#/channels/${this.#id}/messages/${id}`) }
  }

  #operation(wanted: string, action: 'send' | 'receive', title: string, sent: Message[], replies?: Message[]): void {
    const channel = ref(`#/channels/${this.#id}`)
    const operation: Record<string, JsonValue> = { action, channel, title, messages: sent.map((m) => m.ref) }
    if (replies) operation.reply = { channel, messages: replies.map((m) => m.ref) }
    this.#doc.operations.add(`${this.#id}.${wanted}`, operation)
  }

  /** A frame's payload schema, as a component of this channel. */
  #frame(wanted: string, schema: JsonSchema): Ref {
    return this.#doc.schemas.add(`${this.#id}.${wanted}`, schema)
  }

  /** A handler's or topic's own schema as a component of this channel; undefined (the envelope's "anything") without one. */
  #schema(wanted: string, schema: JsonSchema | null): Ref | undefined {
    return schema ? this.#doc.schemas.add(`${this.#id}.${wanted}`, schema) : undefined
  }
}

function authNote(handler: HandlerMeta): string {
  const parts = [handler.auth ? ' Needs a session.' : '']
  if (handler.permissions) parts.push(` Permissions: any of ${Object.keys(handler.permissions).join(', ')}.`)
  return parts.join('')
}
