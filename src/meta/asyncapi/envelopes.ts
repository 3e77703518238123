import {
  ActionFrameSchema,
  BinaryEventHeaderSchema,
  ErrorCodeSchema,
  ErrorFrameSchema,
  ErrorPayloadSchema,
  EventFrameSchema,
  MessageFrameSchema,
  PongFrameSchema,
  PresenceFrameSchema,
  ReplyFrameSchema,
  RequestIdSchema,
  WelcomeFrameSchema,
} from '../../core/protocol/schemas'
import type { Schema } from '../../core/schema'
import { toJson, type JsonSchema, type JsonValue, type SchemaSide } from '../json-schema'
import { isObject, type SchemaComponents } from './components'

/**
 * The protocol schemas that several frames share, each written once as a
 * component under this name (`#/components/schemas/ErrorPayload`), which
 * readers and tools can rely on. In dependency order: each one is converted
 * with only those before it as `definitions` (already components, so its
 * references to them resolve; the converter copies every definition it is
 * given into `$defs`, used or not).
 */
const SHARED: Readonly<Record<string, Schema>> = { RequestId: RequestIdSchema, ErrorCode: ErrorCodeSchema, ErrorPayload: ErrorPayloadSchema }

/**
 * Every frame of protocol v1 as JSON Schema, converted from the protocol's
 * own valibot schemas (`core/protocol/schemas.ts`), so the document cannot
 * drift from what the runtime sends and the client decodes. These are
 * templates: a channel specialises them (the action's name, its routing
 * key, its `data` schema) with the functions below.
 */
export interface Envelopes {
  /** A client's action frame. */
  request: JsonSchema
  welcome: JsonSchema
  reply: JsonSchema
  error: JsonSchema
  message: JsonSchema
  event: JsonSchema
  binaryEvent: JsonSchema
  presence: JsonSchema
  pong: JsonSchema
}

/** Defines the shared schemas in `components` and converts every envelope, referencing them. */
export function protocolEnvelopes(components: SchemaComponents): Envelopes {
  const defined: Record<string, Schema> = {}
  for (const [name, schema] of Object.entries(SHARED)) {
    components.define(name, components.linkDefined(toJson(schema, 'output', defined)))
    defined[name] = schema
  }
  const envelope = (schema: Schema, side: SchemaSide): JsonSchema => components.linkDefined(toJson(schema, side, SHARED))
  return {
    // The one frame a client sends: its input side is what the server accepts.
    request: envelope(ActionFrameSchema, 'input'),
    welcome: envelope(WelcomeFrameSchema, 'output'),
    reply: envelope(ReplyFrameSchema, 'output'),
    error: envelope(ErrorFrameSchema, 'output'),
    message: envelope(MessageFrameSchema, 'output'),
    event: envelope(EventFrameSchema, 'output'),
    binaryEvent: envelope(BinaryEventHeaderSchema, 'output'),
    presence: envelope(PresenceFrameSchema, 'output'),
    pong: envelope(PongFrameSchema, 'output'),
  }
}

/**
 * The envelope with `field`'s schema replaced by `schema` (or kept, when
 * `schema` is undefined: a handler without a schema leaves the envelope's
 * "anything"). `required` makes the field required or optional here, say
 * the `action` a reply to a known action always echoes.
 */
export function withField(envelope: JsonSchema, field: string, schema: JsonValue | undefined, required?: boolean): JsonSchema {
  const entries = Object.entries(propertiesOf(envelope))
  if (!entries.some(([key]) => key === field)) entries.push([field, {}])
  const next = entries.map(([key, value]): [string, JsonValue] => [key, key === field && schema !== undefined ? schema : value])
  return rebuilt(envelope, next, required === undefined ? requiredOf(envelope) : toggled(requiredOf(envelope), field, required))
}

/** The envelope with `field` narrowed: `refinement` (`{ const: 'send' }`) laid over the envelope's own schema of the field. */
export function refineField(envelope: JsonSchema, field: string, refinement: JsonSchema, required?: boolean): JsonSchema {
  const own = propertiesOf(envelope)[field]
  return withField(envelope, field, { ...(isObject(own) ? own : {}), ...refinement }, required)
}

/** The envelope without `field`: built-in actions take their input at the top level, not as `data`. */
export function withoutField(envelope: JsonSchema, field: string): JsonSchema {
  const entries = Object.entries(propertiesOf(envelope)).filter(([key]) => key !== field)
  return rebuilt(envelope, entries, toggled(requiredOf(envelope), field, false))
}

/** The envelope with `from` called `to`, in the same place and just as required: a channel's routing key instead of `action`. */
export function renameField(envelope: JsonSchema, from: string, to: string): JsonSchema {
  if (from === to) return envelope
  const entries = Object.entries(propertiesOf(envelope)).map(([key, value]): [string, JsonValue] => [key === from ? to : key, value])
  const required = requiredOf(envelope).map((key) => (key === from ? to : key))
  return rebuilt(envelope, entries, required)
}

/** An object envelope's `properties`, as plain JSON. */
export function propertiesOf(envelope: JsonSchema): { [field: string]: JsonValue } {
  return isObject(envelope.properties) ? envelope.properties : {}
}

/** An object schema's `required`, as strings. */
export function requiredOf(envelope: JsonSchema): string[] {
  return Array.isArray(envelope.required) ? envelope.required.filter((key): key is string => typeof key === 'string') : []
}

function toggled(required: string[], field: string, on: boolean): string[] {
  return on ? [...new Set([...required, field])] : required.filter((key) => key !== field)
}

// `required` follows the order of `properties`, so the output reads the same however it was specialised.
function rebuilt(envelope: JsonSchema, entries: [string, JsonValue][], required: string[]): JsonSchema {
  const wanted = new Set(required)
  return { ...envelope, properties: Object.fromEntries(entries), required: entries.map(([key]) => key).filter((key) => wanted.has(key)) }
}
