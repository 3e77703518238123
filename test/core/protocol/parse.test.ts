import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../../src/core/errors'
import { FrameError, parseFrame } from '../../../src/core/protocol/parse'

/** The error parseFrame throws for `text`. */
function parseError(text: string, routingKey = 'action', needsAction = true): ChannelError {
  try {
    parseFrame(text, routingKey, needsAction)
  } catch (error) {
    expect(error).toBeInstanceOf(ChannelError)
    return error as ChannelError
  }
  throw new Error(`parseFrame(${text}) did not throw`)
}

describe('parseFrame', () => {
  it('takes the input from "data" when present', () => {
    expect(parseFrame('{"action":"create","id":"7","data":{"text":"hi"},"extra":1}', 'action', true)).toStrictEqual({
      action: 'create',
      id: '7',
      input: { text: 'hi' },
    })
  })

  it('takes every other field as the input in the flat form', () => {
    expect(parseFrame('{"action":"subscribe","id":3,"topic":"updates","since":4}', 'action', true)).toStrictEqual({
      action: 'subscribe',
      id: 3,
      input: { topic: 'updates', since: 4 },
    })
  })

  it('routes on a custom key and keeps "action" as input then', () => {
    expect(parseFrame('{"kind":"join","action":"wave","room":"a"}', 'kind', true)).toStrictEqual({
      action: 'join',
      id: undefined,
      input: { action: 'wave', room: 'a' },
    })
  })

  it('treats "data": null as the input null', () => {
    expect(parseFrame('{"action":"a","data":null,"other":1}', 'action', true).input).toBeNull()
  })

  it('rejects text that is not JSON', () => {
    const error = parseError('{"action":')
    expect(error.toPayload()).toStrictEqual({ code: 'BAD_MESSAGE', message: 'Frame is not valid JSON' })
  })

  it.each(['[{"action":"a"}]', '42', '"action"', 'null', 'true'])('rejects %s: not an object', (text) => {
    expect(parseError(text).toPayload()).toStrictEqual({ code: 'BAD_MESSAGE', message: 'Frame must be a JSON object' })
  })

  it('rejects a frame without an action, keeping its id', () => {
    const error = parseError('{"id":"9","text":"hi"}')
    expect(error).toBeInstanceOf(FrameError)
    expect(error).toMatchObject({ code: 'BAD_MESSAGE', id: '9', action: undefined, message: 'Frame has no "action"' })
  })

  it('names the custom routing key when it is missing', () => {
    expect(parseError('{"action":"x"}', 'kind').message).toBe('Frame has no "kind"')
  })

  it('accepts a frame without an action when the channel has an onMessage fallback', () => {
    expect(parseFrame('{"id":"9","text":"hi"}', 'action', false)).toStrictEqual({ action: undefined, id: '9', input: { text: 'hi' } })
  })

  it.each(['{"action":5,"id":"1"}', '{"action":"","id":"1"}', '{"action":{"name":"a"},"id":"1"}'])(
    'rejects %s: the action must be a non-empty string, even with a fallback',
    (text) => {
      for (const needsAction of [true, false]) {
        const error = parseError(text, 'action', needsAction)
        expect(error).toMatchObject({ code: 'BAD_MESSAGE', id: '1', message: '"action" must be a non-empty string' })
      }
    },
  )

  it.each([
    ['an object', '{}'],
    ['a boolean', 'true'],
    ['null', 'null'],
    ['an infinite number', '1e999'],
    ['a string over 128 characters', JSON.stringify('x'.repeat(129))],
  ])('rejects an id that is %s, keeping the action', (_what, id) => {
    const error = parseError(`{"action":"create","id":${id}}`)
    expect(error).toMatchObject({ code: 'BAD_MESSAGE', action: 'create', id: undefined })
    expect(error.message).toContain('"id" must be a string (up to 128 characters) or a finite number')
  })

  it('accepts an id of exactly 128 characters and the number 0', () => {
    const id = 'x'.repeat(128)
    expect(parseFrame(JSON.stringify({ action: 'a', id }), 'action', true).id).toBe(id)
    expect(parseFrame('{"action":"a","id":0}', 'action', true).id).toBe(0)
  })

  it('keeps a "__proto__" field as an own field of the input', () => {
    const { input } = parseFrame('{"action":"a","__proto__":{"polluted":true},"x":1}', 'action', true)
    const fields = input as Record<string, unknown>
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype)
    expect(Object.hasOwn(fields, '__proto__')).toBe(true)
    expect(Object.keys(fields)).toStrictEqual(['__proto__', 'x'])
    expect(fields.polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

