import { WiringError } from './errors'
import type { Permissions } from './permission'
import type { Schema } from './schema'

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

// Segments of letters, digits and . _ - separated by ":"; a pattern ends in ":*" (or is "*").
const TOPIC = /^[A-Za-z0-9._-]+(?::[A-Za-z0-9._-]+)*$/
const MAX_TOPIC_LENGTH = 200

export function isPattern(topic: string): boolean {
  return topic === '*' || topic.endsWith(':*')
}

/** Why a topic (or, with `allowPattern`, a pattern) is malformed, or undefined if it is fine. */
export function topicProblem(topic: unknown, allowPattern: boolean): string | undefined {
  if (typeof topic !== 'string' || topic.length === 0) return 'a topic must be a non-empty string'
  if (topic.length > MAX_TOPIC_LENGTH) return `a topic is at most ${MAX_TOPIC_LENGTH} characters`
  if (isPattern(topic)) {
    if (!allowPattern) return `"${topic}" is a pattern; publish to a concrete topic`
    if (topic === '*' || TOPIC.test(topic.slice(0, -2))) return undefined
  } else if (TOPIC.test(topic)) return undefined
  return `"${truncate(topic)}" is not a topic: use segments of letters, digits, ".", "_" or "-" separated by ":", and ":*" at the end for a pattern`
}

/** Whether a subscription (a topic or a pattern) receives `topic`. */
export function matches(subscription: string, topic: string): boolean {
  if (subscription === topic || subscription === '*') return true
  return subscription.endsWith(':*') && topic.startsWith(subscription.slice(0, -1))
}

/** Whether pattern `outer` covers everything `inner` (a topic or pattern) does. */
export function covers(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true
  return outer.endsWith(':*') && inner.startsWith(outer.slice(0, -1))
}

/** The declaration that governs a topic or pattern: an exact key first, then the narrowest covering pattern. */
export function findTopic(table: TopicTable, topic: string): { key: string; spec: TopicSpec } | undefined {
  if (Object.hasOwn(table, topic)) return { key: topic, spec: table[topic]! }
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (isPattern(key) && covers(key, topic) && (best === undefined || key.length > best.length)) best = key
  }
  return best === undefined ? undefined : { key: best, spec: table[best]! }
}

/** Checks a channel's `topics` at wiring time. */
export function checkTopics(topics: unknown, where: string): TopicTable {
  if (topics === undefined) return {}
  if (typeof topics !== 'object' || topics === null || Array.isArray(topics)) throw new WiringError(`${where}: topics must be an object of topic declarations`)
  for (const [key, spec] of Object.entries(topics)) {
    const problem = topicProblem(key, true)
    if (problem) throw new WiringError(`${where}: topics: ${problem}`)
    if (typeof spec !== 'object' || spec === null) throw new WiringError(`${where}: topics["${key}"] must be an object like { schema?, auth?, permissions?, replay?, global? }`)
  }
  return topics as TopicTable
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text
}
