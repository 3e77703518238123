import type { BuiltInActionMeta, TopicMeta } from '../describe'
import type { JsonSchema, JsonValue } from '../json-schema'
import type { Ref } from './components'
import { propertiesOf, refineField, renameField, requiredOf, withField, withoutField, type Envelopes } from './envelopes'

// The payload of each message: a protocol envelope specialised with only
// what one channel, action or topic adds (a name, a routing key, a `data`
// schema). A `data` of undefined keeps the envelope's "anything".

/** The first frame of a connection, with what onConnect returns as `data`. */
export function welcomeFrame(envelopes: Envelopes, data: Ref | undefined): JsonSchema {
  return withField(envelopes.welcome, 'data', data)
}

/** An app action's request: named by the channel's routing key, its input as `data`. */
export function actionRequest(envelopes: Envelopes, routingKey: string, action: string, input: Ref | undefined): JsonSchema {
  return withField(refineField(renameField(envelopes.request, 'action', routingKey), routingKey, { const: action }), 'data', input)
}

/** A frame for onMessage: the routing field may be absent, or name an action nobody wired. */
export function unroutedRequest(envelopes: Envelopes, routingKey: string, input: Ref | undefined): JsonSchema {
  return withField(withField(renameField(envelopes.request, 'action', routingKey), routingKey, undefined, false), 'data', input)
}

/** A built-in action's request: always named by `action`, its input as fields of the frame itself. */
export function builtInRequest(envelopes: Envelopes, builtIn: BuiltInActionMeta): JsonSchema {
  const input = builtIn.input ?? {}
  const required = requiredOf(input)
  let frame = refineField(withoutField(envelopes.request, 'data'), 'action', { const: builtIn.name })
  for (const [field, schema] of Object.entries(propertiesOf(input))) frame = withField(frame, field, schema, required.includes(field))
  return frame
}

/**
 * A reply. Given an action, it always echoes it (only the reply to an
 * unrouted frame may have none). `dataRequired`: built-in actions always
 * return something.
 */
export function replyFrame(envelopes: Envelopes, action: string | undefined, output: Ref | undefined, dataRequired?: boolean): JsonSchema {
  const reply = action === undefined ? envelopes.reply : refineField(envelopes.reply, 'action', { const: action }, true)
  return withField(reply, 'data', output, dataRequired)
}

/** The error frame of a named action, which echoes its `action`. */
export function errorFrame(envelopes: Envelopes, action: string): JsonSchema {
  return refineField(envelopes.error, 'action', { const: action }, true)
}

/** A JSON event of one declared topic (or pattern), its payload as `data`. */
export function topicEvent(envelopes: Envelopes, topic: TopicMeta, data: Ref | undefined): JsonSchema {
  return withField(refineField(envelopes.event, 'topic', topicRefinement(topic)), 'data', data)
}

/** The header frame of a binary event of one declared topic (or pattern). */
export function topicBinaryHeader(envelopes: Envelopes, topic: TopicMeta): JsonSchema {
  return refineField(envelopes.binaryEvent, 'topic', topicRefinement(topic))
}

/** `chat:message` is that topic, `typing:*` any topic starting with `typing:`, `*` any topic. */
function topicRefinement(topic: TopicMeta): { [key: string]: JsonValue } {
  if (!topic.pattern) return { const: topic.topic }
  return topic.topic === '*' ? {} : { pattern: `^${escapeRegExp(topic.topic.slice(0, -1))}` }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
