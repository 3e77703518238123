import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { ERROR_CODES } from '../../src/core/protocol/frames'
import * as protocol from '../../src/core/protocol/schemas'
import type { Schema } from '../../src/core/schema'
import { defineChannel } from '../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../src/core/wiring/function'
import { describeChannels, toAsyncAPI, toJson, type JsonSchema, type SchemaSide } from '../../src/meta'

// The AsyncAPI envelopes are the protocol's valibot schemas, converted: these
// tests hold every frame component to its protocol schema, and show that a
// change to a protocol schema reaches the document with no change in meta/.

const SHARED = { RequestId: protocol.RequestIdSchema, ErrorCode: protocol.ErrorCodeSchema, ErrorPayload: protocol.ErrorPayloadSchema }

const say = pikkuChannelFunc({ input: v.object({ text: v.string() }), output: v.object({ said: v.string() }), func: async (_s, data) => ({ said: data.text }) })
const channel = defineChannel({
  name: 'echo',
  route: '/echo/:room',
  onMessage: pikkuChannelFunc({ func: async () => undefined }),
  onMessageWiring: { kind: { say } },
  topics: { news: { schema: v.object({ title: v.string() }) }, 'typing:*': {} },
})

/** A protocol schema as the document should hold it: converted, with the (other) shared schemas as component references. */
function converted(schema: Schema, side: SchemaSide): JsonSchema {
  const others = Object.fromEntries(Object.entries(SHARED).filter(([, shared]) => shared !== schema))
  const { $schema: _draft, $defs: _shared, ...body } = toJson(schema, side, others)
  return JSON.parse(JSON.stringify(body).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema
}

interface Case {
  component: string
  schema: Schema
  side?: SchemaSide
  /** Protocol field -> the field the channel names it by (the routing key). */
  renamed?: Record<string, string>
  /** Fields the channel replaces outright (`data` by the handler's or topic's schema). */
  replaced?: string[]
  /** Protocol fields that need not be present in this frame, or are not in it. */
  optional?: string[]
  absent?: string[]
}

const CASES: Case[] = [
  { component: 'echo.error', schema: protocol.ErrorFrameSchema },
  { component: 'echo.welcome', schema: protocol.WelcomeFrameSchema },
  { component: 'echo.message', schema: protocol.MessageFrameSchema },
  { component: 'echo.builtin.pong', schema: protocol.PongFrameSchema },
  { component: 'echo.action.say.request', schema: protocol.ActionFrameSchema, side: 'input', renamed: { action: 'kind' }, replaced: ['data'] },
  { component: 'echo.action.say.reply', schema: protocol.ReplyFrameSchema, replaced: ['data'] },
  { component: 'echo.action.say.error', schema: protocol.ErrorFrameSchema },
  { component: 'echo.onMessage.request', schema: protocol.ActionFrameSchema, side: 'input', renamed: { action: 'kind' }, optional: ['action'] },
  { component: 'echo.onMessage.reply', schema: protocol.ReplyFrameSchema },
  // Built-in actions take their input as fields of the frame, not as `data`.
  { component: 'echo.builtin.subscribe.request', schema: protocol.ActionFrameSchema, side: 'input', absent: ['data'] },
  { component: 'echo.builtin.subscribe.reply', schema: protocol.ReplyFrameSchema, replaced: ['data'] },
  { component: 'echo.event.news', schema: protocol.EventFrameSchema, replaced: ['data'] },
  { component: 'echo.event.news.binary', schema: protocol.BinaryEventHeaderSchema },
  { component: 'echo.event.typing_any', schema: protocol.EventFrameSchema },
]

const doc = toAsyncAPI(describeChannels([channel])) as any

describe('AsyncAPI envelopes', () => {
  const schemas = doc.components.schemas

  it('defines RequestId, ErrorCode and ErrorPayload once, from the protocol', () => {
    expect(schemas.ErrorCode.enum).toStrictEqual([...ERROR_CODES])
    expect(schemas.RequestId).toStrictEqual(converted(protocol.RequestIdSchema, 'output'))
    // ErrorPayload references ErrorCode rather than repeating the enum.
    expect(schemas.ErrorPayload).toStrictEqual(converted(protocol.ErrorPayloadSchema, 'output'))
    expect(schemas.ErrorPayload.properties.code).toStrictEqual({ $ref: '#/components/schemas/ErrorCode' })
    expect(schemas.ErrorPayload.properties.issues.items.properties).toHaveProperty('path')
  })

  it('converts the shared schemas the same on both sides, so one component serves requests and replies', () => {
    for (const schema of Object.values(SHARED)) expect(toJson(schema, 'input')).toStrictEqual(toJson(schema, 'output'))
  })

  it.each(CASES)('$component carries every field of its protocol frame', ({ component, schema, side = 'output', renamed = {}, replaced = [], optional = [], absent = [] }) => {
    const frame = schemas[component]
    expect(frame, component).toBeDefined()
    const envelope = converted(schema, side)
    const properties = envelope.properties as Record<string, JsonSchema>
    expect(Object.keys(properties).length).toBeGreaterThan(0)
    for (const [field, fieldSchema] of Object.entries(properties)) {
      const name = renamed[field] ?? field
      if (absent.includes(field)) {
        expect(frame.properties, `${component}.${name}`).not.toHaveProperty(name)
        continue
      }
      expect(frame.properties, `${component}.${name}`).toHaveProperty([name])
      // Specialised fields lay a `const` or `pattern` over the protocol's schema of the field, so they still match it.
      if (!replaced.includes(field)) expect(frame.properties[name], `${component}.${name}`).toMatchObject(fieldSchema)
    }
    for (const field of envelope.required as string[]) {
      if (!optional.includes(field) && !absent.includes(field)) expect(frame.required, component).toContain(renamed[field] ?? field)
    }
  })
})

describe('a change to a protocol schema', () => {
  it('reaches the AsyncAPI document with no change in meta/', async () => {
    vi.resetModules()
    vi.doMock('../../src/core/protocol/schemas', async (importOriginal) => {
      const original = await importOriginal<typeof protocol>()
      return {
        ...original,
        WelcomeFrameSchema: v.object({ ...original.WelcomeFrameSchema.entries, resumed: v.optional(v.boolean()) }),
        ActionFrameSchema: v.object({ ...original.ActionFrameSchema.entries, trace: v.optional(v.string()) }),
        EventFrameSchema: v.object({ ...original.EventFrameSchema.entries, at: v.number() }),
      }
    })
    try {
      const meta = await import('../../src/meta')
      const changed = meta.toAsyncAPI(meta.describeChannels([channel])) as any
      const { schemas: changedSchemas } = changed.components
      expect(changedSchemas['echo.welcome'].properties.resumed).toStrictEqual({ type: 'boolean' })
      for (const request of ['echo.action.say.request', 'echo.onMessage.request', 'echo.builtin.ping.request', 'echo.builtin.subscribe.request']) {
        expect(changedSchemas[request].properties.trace, request).toStrictEqual({ type: 'string' })
      }
      expect(changedSchemas['echo.event.news'].properties.at).toStrictEqual({ type: 'number' })
      expect(changedSchemas['echo.event.news'].required).toContain('at')
      // Frames built from unchanged protocol schemas did not move.
      expect(changedSchemas['echo.error']).toStrictEqual(doc.components.schemas['echo.error'])
      expect(changedSchemas.ErrorPayload).toStrictEqual(doc.components.schemas.ErrorPayload)
    } finally {
      vi.doUnmock('../../src/core/protocol/schemas')
      vi.resetModules()
    }
  })
})
