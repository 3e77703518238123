import { describe, expect, it } from 'vitest'
import { PONG_FRAME } from '../../../src/core/protocol/actions'
import { decodeServerFrame } from '../../../src/core/protocol/decode'
import { encodeAction, encodeBinaryEventHeader, encodeError, encodeEvent, encodeFrame, encodeMessage, encodePong, encodePresence, encodeReply, encodeWelcome } from '../../../src/core/protocol/encode'
import { SERVER_FRAME_TYPES, type ServerFrame } from '../../../src/core/protocol/frames'

describe('encoders', () => {
  it('encodeReply leaves out an undefined id and data', () => {
    expect(encodeReply('create', '7', { ok: true })).toBe('{"type":"reply","action":"create","id":"7","data":{"ok":true}}')
    expect(encodeReply('create', 7, undefined)).toBe('{"type":"reply","action":"create","id":7}')
    expect(encodeReply('create', undefined, null)).toBe('{"type":"reply","action":"create","data":null}')
    expect(encodeReply(undefined, undefined, 1)).toBe('{"type":"reply","data":1}')
  })

  it('encodeError carries the payload', () => {
    expect(encodeError('create', '7', { code: 'INVALID_INPUT', message: 'Bad', issues: [{ message: 'Required', path: ['text'] }] })).toBe(
      '{"type":"error","action":"create","id":"7","error":{"code":"INVALID_INPUT","message":"Bad","issues":[{"message":"Required","path":["text"]}]}}',
    )
    expect(encodeError(undefined, undefined, { code: 'TOO_LARGE', message: 'Big' })).toBe('{"type":"error","error":{"code":"TOO_LARGE","message":"Big"}}')
  })

  it('encodeWelcome, encodeMessage and encodePong', () => {
    expect(encodeWelcome('c1', { room: 'general' })).toBe('{"type":"welcome","channelId":"c1","data":{"room":"general"}}')
    expect(encodeWelcome('c1', undefined)).toBe('{"type":"welcome","channelId":"c1"}')
    expect(encodeMessage({ text: 'hi' })).toBe('{"type":"message","data":{"text":"hi"}}')
    expect(encodePong(undefined)).toBe(PONG_FRAME)
    expect(PONG_FRAME).toBe('{"type":"pong"}')
    expect(encodePong('p1')).toBe('{"type":"pong","id":"p1"}')
    expect(encodePong(0)).toBe('{"type":"pong","id":0}')
  })

  it('encodePresence puts the type first and leaves out absent lists', () => {
    expect(encodePresence({ count: 1, leaves: ['u'] })).toBe('{"type":"presence","count":1,"leaves":["u"]}')
    expect(encodePresence({ count: 120, sampled: true })).toBe(encodeFrame({ type: 'presence', count: 120, sampled: true }))
  })
})

describe('event frames', () => {
  it('are assembled around a payload already encoded once, in protocol field order', () => {
    const frame = encodeEvent('chat:message', 42, '{"text":"hé"}')
    expect(frame).toBe('{"type":"event","topic":"chat:message","data":{"text":"hé"},"seq":42}')
    expect(frame).toBe(encodeFrame({ type: 'event', topic: 'chat:message', data: { text: 'hé' }, seq: 42 }))
  })

  it('escape the topic as JSON', () => {
    expect(JSON.parse(encodeEvent('a"b', 1, 'null'))).toStrictEqual({ type: 'event', topic: 'a"b', data: null, seq: 1 })
  })

  it('a binary event is a header with "binary": true and no data', () => {
    expect(encodeBinaryEventHeader('files:x', 3)).toBe('{"type":"event","topic":"files:x","seq":3,"binary":true}')
    expect(encodeBinaryEventHeader('files:x', 3)).toBe(encodeFrame({ type: 'event', topic: 'files:x', seq: 3, binary: true }))
  })
})

describe('encodeAction (what a client sends)', () => {
  it('names the action by the routing key, with data only when there is input', () => {
    expect(encodeAction('create', 7, { text: 'hi' })).toBe('{"action":"create","id":7,"data":{"text":"hi"}}')
    expect(encodeAction('list', '1', undefined)).toBe('{"action":"list","id":"1"}')
    expect(encodeAction('join', 2, { room: 'a' }, 'op')).toBe('{"op":"join","id":2,"data":{"room":"a"}}')
  })

  it('names built-in $ actions by "action" whatever the routing key, as the server reads them', () => {
    expect(encodeAction('$subscribe', 3, { topic: 't' }, 'op')).toBe('{"action":"$subscribe","id":3,"data":{"topic":"t"}}')
  })
})

describe('decodeServerFrame (what a client reads)', () => {
  it('reads every frame type the server sends', () => {
    const frames: ServerFrame[] = [
      { type: 'welcome', channelId: 'c1', data: 1 },
      { type: 'reply', action: 'a', id: 1, data: 2 },
      { type: 'error', action: 'a', id: 1, error: { code: 'FORBIDDEN', message: 'no' } },
      { type: 'message', data: 3 },
      { type: 'event', topic: 't', data: 4, seq: 5 },
      { type: 'event', topic: 't', seq: 6, binary: true },
      { type: 'presence', count: 2, joins: [{ id: 'u', data: 'u', connections: 1 }], leaves: ['v'] },
      { type: 'pong', id: 'p' },
    ]
    for (const frame of frames) expect(decodeServerFrame(encodeFrame(frame))).toStrictEqual(frame)
    expect(new Set(frames.map((f) => f.type))).toStrictEqual(new Set(SERVER_FRAME_TYPES))
  })

  it.each(['not json', '[1]', 'null', '"welcome"', '{}', '{"type":7}', '{"type":"newer-frame"}'])('ignores %s', (text) => {
    expect(decodeServerFrame(text)).toBeUndefined()
  })
})
