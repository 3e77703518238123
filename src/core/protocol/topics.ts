import { truncate } from '../truncate'

/**
 * Topic names and patterns, as both sides of the wire read them: segments of
 * letters, digits and `. _ -` separated by `:`; a pattern ends in `:*` (or is `*`).
 */
const TOPIC = /^[A-Za-z0-9._-]+(?::[A-Za-z0-9._-]+)*$/
export const MAX_TOPIC_LENGTH = 200

export function isPattern(topic: string): boolean {
  return topic === '*' || topic.endsWith(':*')
}

/** `news:*` -> `news:`, `*` -> `` (everything). */
export function patternPrefix(pattern: string): string {
  return pattern.slice(0, -1)
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

/**
 * Whether a subscription (a topic or a pattern) receives `topic`. With a
 * pattern as `topic`, whether `subscription` covers everything it does.
 */
export function matches(subscription: string, topic: string): boolean {
  if (subscription === topic || subscription === '*') return true
  return subscription.endsWith(':*') && topic.startsWith(patternPrefix(subscription))
}
