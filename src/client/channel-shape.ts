import type { ActionsOf, AnyChannel, TopicsOf } from './types'

/**
 * A channel described by types alone: what each action takes and returns, and
 * each topic's payload. This is what a generator can write from the channels'
 * JSON Schema, for a front end that cannot import the server's wiring; a wired
 * channel's type (`typeof todosChannel`) converts to it with {@link ShapeOf}.
 */
export type ChannelShape = {
  actions: { [action: string]: { input: unknown; output: unknown } }
  topics: { [topic: string]: unknown }
}

/**
 * What an entry of a channels map must be: a wired channel, or something of
 * {@link ChannelShape}'s form. The form is checked action by action rather than
 * against `ChannelShape` itself because interfaces have no implicit index
 * signature: a generated `interface TodosActions { create: {...} }` would not
 * be assignable to `ChannelShape['actions']`, yet it is exactly that shape.
 */
export type ChannelEntry<Entry> =
  | AnyChannel
  | {
      actions: { [Action in keyof ActionTableOf<Entry>]: { input: unknown; output: unknown } }
      topics: object
    }

type ActionTableOf<Entry> = Entry extends { actions: infer Actions } ? Actions : {}

/**
 * A map of channel name -> wired channel type or shape, as `PikkuWebSocket`
 * takes it: `{ todos: typeof todosChannel; chat: ChatShape }`. Written as a
 * constraint on itself so that interfaces qualify (see {@link ChannelEntry}).
 */
export type ChannelsMapOf<Channels> = { [Name in keyof Channels]: ChannelEntry<Channels[Name]> }

/**
 * What an untyped `PikkuWebSocket` assumes: any channel name, action and
 * topic, and data of any type, so seed 001's untyped client code
 * (`route.subscribe(topic, (data) => data.todo)`) compiles as written. Give it
 * a channels map (or use the generated one) to type it.
 */
export type UntypedChannels = { [name: string]: { actions: { [action: string]: { input: any; output: any } }; topics: { [topic: string]: any } } }

/** A map entry as a shape: a wired channel's actions and topics from its wiring (`ActionsOf`, `TopicsOf`); a shape as it is. */
export type ShapeOf<Entry> = Entry extends AnyChannel ? { actions: ActionsOf<Entry>; topics: TopicsOf<Entry> } : Entry

/** The least a route needs to read a shape's tables. */
export type AnyShape = { actions: object; topics: object }
