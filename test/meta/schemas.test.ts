import Ajv from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, generate, type Generated } from '../cli/support'

/** The generated JSON Schemas of the reference app, checked with a JSON Schema validator. */
describe('generated JSON Schemas', () => {
  let generated: Generated
  const ajv = new Ajv({ strict: true, allErrors: true })

  beforeAll(() => {
    generated = generate()
  }, 60_000)
  afterAll(cleanup)

  const chat = () => generated.meta.channels.find((c: { name: string }) => c.name === 'chat')
  const action = (name: string) => chat().actions.find((a: { name: string }) => a.name === name)

  it('send: accepts { text: "hi" }, rejects a number and a missing text', () => {
    const validate = ajv.compile(action('send').input)
    expect(validate({ text: 'hi' })).toBe(true)
    expect(validate({ text: 42 })).toBe(false)
    expect(validate({})).toBe(false)
    expect(validate({ text: 'x'.repeat(501) })).toBe(false)
  })

  it('history: accepts {} and { limit: 10 }, rejects { limit: "ten" }', () => {
    const validate = ajv.compile(action('history').input)
    expect(validate({})).toBe(true)
    expect(validate({ limit: 10 })).toBe(true)
    expect(validate({ limit: 'ten' })).toBe(false)
    expect(validate({ limit: 1.5 })).toBe(false)
    expect(validate({ limit: 101 })).toBe(false)
  })

  it('chat opening data: accepts { room: "general" }, rejects { room: "BAD ROOM" }', () => {
    const validate = ajv.compile(chat().openingData)
    expect(validate({ room: 'general' })).toBe(true)
    expect(validate({ room: 'general', name: 'ada' })).toBe(true)
    expect(validate({ room: 'BAD ROOM' })).toBe(false)
    expect(validate({})).toBe(false)
  })

  it('chat:message events: the payload schema', () => {
    const topic = chat().topics.find((t: { topic: string }) => t.topic === 'chat:message')
    const validate = ajv.compile(topic.schema)
    expect(validate({ id: 1, author: 'ada', text: 'hi', at: 0 })).toBe(true)
    expect(validate({ id: 1, author: 'ada', text: 'hi' })).toBe(false)
  })

  it('built-in $subscribe input', () => {
    const subscribe = generated.meta.builtInActions.find((a: { name: string }) => a.name === '$subscribe')
    const validate = ajv.compile(subscribe.input)
    expect(validate({ topic: 'chat:message' })).toBe(true)
    expect(validate({ topic: 'chat:message', since: 41 })).toBe(true)
    expect(validate({ topic: 'chat:message', since: -1 })).toBe(false)
    expect(validate({})).toBe(false)
  })
})
