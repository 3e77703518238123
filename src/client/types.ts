import type { OutputOf, PikkuFunction, WireInputOf } from '../core/types'
import type { AnyChannel, ChannelDefinition, TopicsOf } from '../core/wiring/channel-definition'

// The channel's own types, as the server's wiring defines them: one definition for both sides.
export type { AnyChannel, TopicsOf }

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never

/** Whether a wiring value is one action (a function, or `{ func }`) rather than a table of them. */
type IsEntry<V> = V extends PikkuFunction ? true : V extends { func: unknown } ? true : V extends (...args: any[]) => unknown ? true : false

/** `onMessageWiring`'s actions, whichever of the two shapes it was written in (the runtime's rule, in types). */
type ActionTable<Wiring> = [keyof Wiring] extends [never]
  ? {}
  : IsUnion<keyof Wiring> extends true
    ? Wiring
    : Wiring[keyof Wiring] extends infer Only
      ? IsEntry<Only> extends true
        ? Wiring
        : Only
      : Wiring

type FunctionOf<Entry> = Entry extends PikkuFunction ? Entry : Entry extends { func: infer F } ? FunctionOf<F> : Entry extends (...args: any[]) => infer R ? PikkuFunction<unknown, Awaited<R>> : never

/** Action name -> what the client sends and what the reply carries. */
export type ActionsOf<Channel> = Channel extends ChannelDefinition<any, any, any, infer Wiring, any>
  ? { [Name in keyof ActionTable<Wiring> & string]: { input: WireInputOf<FunctionOf<ActionTable<Wiring>[Name]>>; output: OutputOf<FunctionOf<ActionTable<Wiring>[Name]>> } }
  : never

/**
 * What `send(action)` takes, from an `ActionsOf` table: the input as the client
 * sends it. Not the core's `InputOf`, which reads a function's parsed input.
 */
export type ActionInput<Actions, Action extends keyof Actions> = Actions[Action] extends { input: infer Input } ? Input : never

/** What `send(action)` resolves with, from an `ActionsOf` table. Not the core's `OutputOf`, which reads a function. */
export type ActionOutput<Actions, Action extends keyof Actions> = Actions[Action] extends { output: infer Output } ? Output : never

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface SendOptions {
  /** Rejects with `TIMEOUT` if no reply arrives in time. Default: the client's `timeoutMs`. */
  timeoutMs?: number
  /** Rejects with `ABORTED` (and drops the request if it was not sent yet). */
  signal?: AbortSignal
}

/**
 * `send`'s arguments: the input may be left out when the action takes none, or
 * when every field is optional (the server then reads `{}`).
 */
export type SendArgs<Input> = undefined extends Input ? [data?: Input, options?: SendOptions] : {} extends Input ? [data?: Input, options?: SendOptions] : [data: Input, options?: SendOptions]

/** A channel's presence data: what its `presence.of` returns, else the member id (a string). Keep `setPresence` to the same shape. */
export type PresenceDataOf<Channel> = Channel extends ChannelDefinition<any, any, any, any, any, infer Data> ? Data : unknown

export interface EventMeta {
  topic: string
  seq: number
}

/** The topics table a channel was wired with. */
type TopicTableOf<Channel> = Channel extends ChannelDefinition<any, any, any, any, infer Table> ? Table : never

/** Patterns the server accepts: declared ones (`news:*`) and narrower ones under them (`news:eu:*`). */
type PatternsOf<Table> = {
  [Key in keyof Table & string]: Key extends '*' ? '*' | `${string}:*` : Key extends `${infer Prefix}:*` ? Key | `${Prefix}:${string}:*` : never
}[keyof Table & string]

/** What a client may subscribe to: a declared topic (or one under a declared pattern), or a pattern the server accepts. */
export type Subscribable<Channel> = (keyof TopicsOf<Channel> & string) | PatternsOf<TopicTableOf<Channel>>

/** Payload type for a topic or pattern. */
export type PayloadOf<Topics, Topic extends string> = Topic extends keyof Topics ? Topics[Topic] : Topic extends `${infer Prefix}:*` ? Topics[Extract<keyof Topics, `${Prefix}:${string}`>] : unknown
