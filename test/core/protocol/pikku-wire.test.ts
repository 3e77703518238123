import { describe, expect, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { PONG_FRAME } from '../../../src/core/protocol/actions'
import { encodeError, encodeFrame, encodePong, encodeWelcome } from '../../../src/core/protocol/encode'
import { FrameError, parseFrame } from '../../../src/core/protocol/parse'
import { pikkuWire } from '../../../src/core/protocol/pikku-wire'
import { v1Wire } from '../../../src/core/protocol/v1-wire'
import { wireFormatFor, wireProtocolOf } from '../../../src/core/protocol/wires'
import { PikkuClientModel } from './pikku-client'

const wired = new Set(['send', 'echo'])
const pikku = pikkuWire('action', wired)
const op = pikkuWire('op', new Set(['add']))

describe('Pikku wire mode: parsing', () => {
  it('routes a flat frame naming a wired action; every other field, `id` and `data` included, is input', () => {
    expect(pikku.parse('{"action":"send","id":7,"text":"hi","data":1}', true)).toStrictEqual({ action: 'send', input: { id: 7, text: 'hi', data: 1 } })
    expect(op.parse('{"op":"add","a":1,"action":"x"}', true)).toStrictEqual({ action: 'add', input: { a: 1, action: 'x' } })
  })

  it('never reads a request id, so a malformed one is just input', () => {
    expect(pikku.parse('{"action":"send","id":{"deep":true}}', true)).toStrictEqual({ action: 'send', input: { id: { deep: true } } })
  })

  it('with an onMessage fallback, a frame naming no wired action goes whole, and text that is not JSON as the string', () => {
    expect(pikku.parse('{"action":"nope","x":1}', false)).toStrictEqual({ input: { action: 'nope', x: 1 } })
    expect(pikku.parse('{"x":1}', false)).toStrictEqual({ input: { x: 1 } })
    expect(pikku.parse('{"action":5}', false)).toStrictEqual({ input: { action: 5 } })
    expect(pikku.parse('hello there', false)).toStrictEqual({ input: 'hello there' })
    expect(pikku.parse('[1,2]', false)).toStrictEqual({ input: [1, 2] })
    expect(pikku.parse('null', false)).toStrictEqual({ input: null })
  })

  it('without one, answers what it cannot route with BAD_MESSAGE (an unwired name is left to UNKNOWN_ACTION)', () => {
    const bad = (text: string) => {
      try {
        pikku.parse(text, true)
      } catch (error) {
        expect(error).toBeInstanceOf(FrameError)
        return { action: (error as FrameError).action, message: (error as FrameError).message }
      }
      throw new Error('parsed')
    }
    expect(bad('not json')).toStrictEqual({ action: undefined, message: 'Frame is not valid JSON' })
    expect(bad('[1]')).toStrictEqual({ action: undefined, message: 'Frame must be a JSON object' })
    expect(bad('{"x":1}')).toStrictEqual({ action: undefined, message: 'Frame has no "action"' })
    expect(bad('{"action":""}')).toStrictEqual({ action: undefined, message: '"action" must be a non-empty string' })
    expect(pikku.parse('{"action":"nope"}', true)).toStrictEqual({ action: 'nope', input: {} })
  })

  it('reads built-in `$` actions from `action` on every channel, flat', () => {
    expect(op.parse('{"action":"$subscribe","topic":"a:b","since":3}', false)).toStrictEqual({ action: '$subscribe', input: { topic: 'a:b', since: 3 } })
    expect(pikku.parse('{"action":"$ping","id":1}', true)).toStrictEqual({ action: '$ping', input: { id: 1 } })
  })

  it('keeps a "__proto__" field a field', () => {
    const { input } = pikku.parse('{"action":"send","__proto__":{"polluted":true}}', true) as { input: Record<string, unknown> }
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype)
    expect(Object.hasOwn(input, '__proto__')).toBe(true)
  })

  it('correlates a refused frame by its action only, and never throws', () => {
    expect(pikku.correlate('{"action":"send","id":"r1"}')).toStrictEqual({ action: 'send' })
    expect(op.correlate('{"op":"add"}')).toStrictEqual({ action: 'add' })
    expect(pikku.correlate('junk')).toStrictEqual({})
  })

  it('acknowledges a routed action that returned nothing, but not onMessage', () => {
    expect(pikku.acknowledges({ action: 'send', input: {} })).toBe(true)
    expect(pikku.acknowledges({ input: 'text' })).toBe(false)
  })
})

describe('Pikku wire mode: encoding', () => {
  const reply = (action: string | undefined, data: unknown, wire = pikku) => wire.encode({ type: 'reply', action, data })

  it('answers an object result flat, with the routing key added last (the result object is not changed)', () => {
    const result = { id: 1, text: 'hi' }
    expect(reply('send', result)).toBe('{"id":1,"text":"hi","action":"send"}')
    expect(result).toStrictEqual({ id: 1, text: 'hi' })
    expect(reply('add', { sum: 3 }, op)).toBe('{"sum":3,"op":"add"}')
    // A result field with the routing key's name is overwritten, in place, as Pikku's Object.assign does.
    expect(reply('send', { action: 'other', n: 1 })).toBe('{"action":"send","n":1}')
  })

  it('wraps a primitive, null, an array or a Date in `result`, and sends undefined as the key alone', () => {
    expect(reply('send', 3)).toBe('{"action":"send","result":3}')
    expect(reply('send', 'ok')).toBe('{"action":"send","result":"ok"}')
    expect(reply('send', null)).toBe('{"action":"send","result":null}')
    expect(reply('send', [1, 2])).toBe('{"action":"send","result":[1,2]}')
    expect(reply('send', new Date(0))).toBe('{"action":"send","result":"1970-01-01T00:00:00.000Z"}')
    expect(reply('send', undefined)).toBe('{"action":"send"}')
    expect(reply('add', 3, op)).toBe('{"op":"add","result":3}')
  })

  it('echoes a built-in action under `action`, whatever the routing key', () => {
    expect(reply('$subscribe', { topic: 't', seq: 0 }, op)).toBe('{"topic":"t","seq":0,"action":"$subscribe"}')
  })

  it("sends onMessage's result, channel.send and events as bare JSON", () => {
    expect(reply(undefined, { any: 'thing' })).toBe('{"any":"thing"}')
    expect(pikku.encode({ type: 'message', data: { text: 'hi' } })).toBe('{"text":"hi"}')
    expect(pikku.encode({ type: 'message', data: 'hi' })).toBe('"hi"')
    expect(pikku.encode({ type: 'message', data: undefined })).toBe('null')
    expect(pikku.encode({ type: 'event', topic: 'chat:message', seq: 4, data: { topic: 'chat:message', text: 'x' } })).toBe('{"topic":"chat:message","text":"x"}')
  })

  it('merges fields a channel middleware added into an object frame, and drops them where there is no object', () => {
    expect(pikku.encode({ type: 'reply', action: 'send', data: { n: 1 }, sentAt: 5 })).toBe('{"n":1,"action":"send","sentAt":5}')
    expect(pikku.encode({ type: 'reply', action: 'send', data: 2, sentAt: 5 })).toBe('{"action":"send","result":2,"sentAt":5}')
    expect(pikku.encode({ type: 'message', data: { n: 1 }, sentAt: 5, gone: undefined })).toBe('{"n":1,"sentAt":5}')
    expect(pikku.encode({ type: 'event', topic: 't', seq: 1, data: 'bare', sentAt: 5 })).toBe('"bare"')
  })

  it('addresses errors to the action under its field, or sends the error alone', () => {
    const error = { code: 'INVALID_INPUT' as const, message: 'Bad', issues: [{ message: 'Required', path: ['text'] }] }
    expect(pikku.error('send', 'ignored', error)).toBe('{"action":"send","error":{"code":"INVALID_INPUT","message":"Bad","issues":[{"message":"Required","path":["text"]}]}}')
    expect(op.error('add', undefined, error)).toBe(`{"op":"add","error":${JSON.stringify(error)}}`)
    expect(op.error('$subscribe', undefined, error)).toBe(`{"action":"$subscribe","error":${JSON.stringify(error)}}`)
    expect(pikku.error(undefined, undefined, { code: 'BAD_MESSAGE', message: 'x' })).toBe('{"error":{"code":"BAD_MESSAGE","message":"x"}}')
  })

  it("opens with no welcome: onConnect's result, after what onConnect sent, or nothing", () => {
    expect(pikku.opening('c1', { hello: 'a' })).toStrictEqual({ last: '{"hello":"a"}' })
    expect(pikku.opening('c1', undefined)).toStrictEqual({ last: undefined })
    expect(pikku.pong('p1')).toBe(PONG_FRAME)
  })

  it('sends an event as its payload text, or its bytes with no header', () => {
    const sent: unknown[] = []
    const bytes = new Uint8Array([1, 2])
    pikku.event({ frame: '{"type":"event"}', json: '{"a":1}' }, { send: (frame) => void sent.push(frame) })
    pikku.event({ frame: '{"type":"event","binary":true}', bytes }, { send: (frame) => void sent.push(frame) })
    expect(sent).toStrictEqual(['{"a":1}', bytes])
  })

  it("is what Pikku's client routes: a result reaches its method's subscribers, an error too, an event its topic filter", () => {
    const client = new PikkuClientModel(() => {})
    const got: unknown[] = []
    client.getRoute('action').subscribe('send', (frame) => got.push(['send', frame]))
    client.getRoute('op').subscribe('add', (frame) => got.push(['add', frame]))
    client.subscribeToEventHub('chat:message', (frame) => got.push(['event', frame]))
    client.receive(reply('send', 3))
    client.receive(op.encode({ type: 'reply', action: 'add', data: { sum: 3 } }))
    client.receive(pikku.error('send', undefined, { code: 'FORBIDDEN', message: 'No' }))
    client.receive(pikku.encode({ type: 'event', topic: 'chat:message', seq: 1, data: { topic: 'chat:message', text: 'x' } }))
    expect(got).toStrictEqual([
      ['send', { action: 'send', result: 3 }],
      ['add', { sum: 3, op: 'add' }],
      ['send', { action: 'send', error: { code: 'FORBIDDEN', message: 'No' } }],
      ['event', { topic: 'chat:message', text: 'x' }],
    ])
  })
})

describe('protocol v1 through its WireFormat', () => {
  const v1 = v1Wire('action')

  it('is parse.ts and encode.ts, unchanged', () => {
    const text = '{"action":"send","id":"7","data":{"text":"hi"}}'
    expect(v1.parse(text, true)).toStrictEqual(parseFrame(text, 'action', true))
    expect(v1.encode({ type: 'reply', action: 'send', id: '7', data: 1 })).toBe(encodeFrame({ type: 'reply', action: 'send', id: '7', data: 1 }))
    expect(v1.error('send', 7, { code: 'FORBIDDEN', message: 'No' })).toBe(encodeError('send', 7, { code: 'FORBIDDEN', message: 'No' }))
    expect(v1.opening('c1', 'hi')).toStrictEqual({ first: encodeWelcome('c1', 'hi') })
    expect(v1.pong('p')).toBe(encodePong('p'))
    expect(v1.acknowledges({ action: 'send', input: {} })).toBe(false)
    expect(v1.acknowledges({ action: 'send', id: 1, input: {} })).toBe(true)
  })

  it('correlates a refused frame by action and id, and sends an event as its frame (a binary one with its header first)', () => {
    expect(v1.correlate('{"action":"send","id":"r1"}')).toStrictEqual({ action: 'send', id: 'r1' })
    expect(v1.correlate('junk')).toStrictEqual({})
    const sent: unknown[] = []
    const bytes = new Uint8Array([1])
    v1.event({ frame: 'F', json: '1' }, { send: (frame) => void sent.push(frame) })
    v1.event({ frame: 'H', bytes }, { send: (frame) => void sent.push(frame) })
    expect(sent).toStrictEqual(['F', 'H', bytes])
  })
})

describe('choosing a wire mode', () => {
  it("is 'v1' by default, 'pikku' when asked, and anything else is a wiring error", () => {
    expect(wireProtocolOf(undefined, 'channel "x"')).toBe('v1')
    expect(wireProtocolOf('v1', 'channel "x"')).toBe('v1')
    expect(wireProtocolOf('pikku', 'channel "x"')).toBe('pikku')
    expect(() => wireProtocolOf('Pikku', 'channel "x"')).toThrow(new WiringError('channel "x": protocol must be "v1" or "pikku", got "Pikku"'))
    expect(() => wireProtocolOf(2, 'channel "x"')).toThrow('got number')
  })

  it('builds the named one', () => {
    expect(wireFormatFor('v1', 'action', wired).protocol).toBe('v1')
    expect(wireFormatFor('pikku', 'action', wired).protocol).toBe('pikku')
  })
})
