import { WiringError } from '../errors'
import { matches, isPattern, topicProblem } from '../protocol/topics'
import type { Permissions } from '../types'
import { isStandardSchema, type Schema } from '../schema'

/** How one topic (or family of topics, `news:*`) behaves on a channel. */
export interface TopicSpec<Data = unknown> {
  /** Validates what is published and types the payload (valibot). */
  schema?: Schema<Data>
  /** Whether `$subscribe` needs a session. Default: the channel's `auth`. */
  auth?: boolean
  /** Who may `$subscribe`; the permission's data is `{ topic, since? }`. */
  permissions?: Permissions
  /** Keep this topic's events in the replay log (default true when the channel has one). */
  replay?: boolean
  /**
   * Fan out to every instance of the channel that has subscribers, through a
   * coordinator object, rather than only within the publishing instance.
   */
  global?: boolean
}

export type TopicTable = { readonly [topic: string]: TopicSpec<any> }

/** A topic's declaration: the key it was declared under (a topic or pattern) and its spec. */
export interface TopicDeclaration {
  key: string
  spec: TopicSpec
}

/** The replay log: bounded by count and by age. */
export interface ReplayOptions {
  /** Events kept per channel instance. Default 1000. */
  count?: number
  /** Events older than this are forgotten. Default 10 minutes. */
  maxAgeMs?: number
}

export const DEFAULT_REPLAY: Required<ReplayOptions> = { count: 1000, maxAgeMs: 10 * 60_000 }

/** `'news:*'` -> `` `news:${string}` ``: the topics a declaration covers, as a type. */
export type TopicName<Key extends string> = Key extends `${infer Prefix}:*` ? `${Prefix}:${string}` : Key extends '*' ? string : Key

/** Topic name -> payload type, from a channel's `topics`. */
export type TopicMap<Table> = {
  [Key in keyof Table & string as TopicName<Key>]: Table[Key] extends TopicSpec<infer Data> ? (unknown extends Data ? unknown : Data) : unknown
}

/** The declaration that governs a topic or pattern: an exact key first, then the narrowest covering pattern. */
export function findTopic(table: TopicTable, topic: string): TopicDeclaration | undefined {
  if (Object.hasOwn(table, topic)) return { key: topic, spec: table[topic]! }
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (isPattern(key) && matches(key, topic) && (best === undefined || key.length > best.length)) best = key
  }
  return best === undefined ? undefined : { key: best, spec: table[best]! }
}

/** The declaration governing `topic` on a channel, or why there is none: a malformed topic, or one the channel does not declare. */
export function lookUpTopic(table: TopicTable, channel: string, topic: string, allowPattern: boolean): { declaration: TopicDeclaration } | { problem: string } {
  const problem = topicProblem(topic, allowPattern)
  if (problem) return { problem }
  const declaration = findTopic(table, topic)
  if (!declaration) return { problem: `topic "${topic}" is not declared on channel "${channel}"; add it to the channel's topics` }
  return { declaration }
}

/** Checks a channel's `topics` at wiring time. */
export function checkTopics(topics: unknown, where: string): TopicTable {
  if (topics === undefined) return {}
  if (typeof topics !== 'object' || topics === null || Array.isArray(topics)) throw new WiringError(`${where}: topics must be an object of topic declarations`)
  for (const [key, spec] of Object.entries(topics)) {
    const problem = topicProblem(key, true)
    if (problem) throw new WiringError(`${where}: topics: ${problem}`)
    if (typeof spec !== 'object' || spec === null) throw new WiringError(`${where}: topics["${key}"] must be an object like { schema?, auth?, permissions?, replay?, global? }`)
    const schema = (spec as TopicSpec).schema
    if (schema !== undefined && !isStandardSchema(schema)) throw new WiringError(`${where}: topics["${key}"].schema must be a schema (valibot, or any Standard Schema validator such as zod or arktype)`)
  }
  return topics as TopicTable
}
