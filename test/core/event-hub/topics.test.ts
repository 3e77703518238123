import { describe, expect, expectTypeOf, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { checkTopics, DEFAULT_REPLAY, findTopic, type TopicMap, type TopicName, type TopicTable } from '../../../src/core/event-hub/topics'
import { isPattern, matches, topicProblem } from '../../../src/core/protocol/topics'

const SHAPE = 'use segments of letters, digits, ".", "_" or "-" separated by ":", and ":*" at the end for a pattern'

describe('topicProblem', () => {
  it.each(['chat:message', 'a.b-c_d:e', 'x', 'A9', 'a:b:c:d'])('accepts the topic %j, with or without patterns allowed', (topic) => {
    expect(topicProblem(topic, false)).toBeUndefined()
    expect(topicProblem(topic, true)).toBeUndefined()
  })

  it.each(['news:*', '*', 'a.b:c-d:*'])('accepts the pattern %j only when patterns are allowed', (pattern) => {
    expect(topicProblem(pattern, true)).toBeUndefined()
    expect(topicProblem(pattern, false)).toBe(`"${pattern}" is a pattern; publish to a concrete topic`)
  })

  it.each(['bad topic!', 'a::b', ':a', 'a:', 'news:*:x', 'a:*:*', ':*', 'news*', 'a:b*', 'ünï:code', 'a/b', 'a b'])('refuses the malformed %j', (topic) => {
    expect(topicProblem(topic, true)).toBe(`"${topic}" is not a topic: ${SHAPE}`)
    expect(topicProblem(topic, false)).toBe(
      isPattern(topic) ? `"${topic}" is a pattern; publish to a concrete topic` : `"${topic}" is not a topic: ${SHAPE}`,
    )
  })

  it('refuses the empty string and non-strings', () => {
    for (const topic of ['', undefined, null, 42, {}, ['a'], Symbol('a')]) {
      expect(topicProblem(topic, true)).toBe('a topic must be a non-empty string')
      expect(topicProblem(topic, false)).toBe('a topic must be a non-empty string')
    }
  })

  it('accepts 200 characters and refuses 201', () => {
    expect(topicProblem('a'.repeat(200), false)).toBeUndefined()
    expect(topicProblem('a'.repeat(201), false)).toBe('a topic is at most 200 characters')
    expect(topicProblem(`${'a'.repeat(199)}:*`, true)).toBe('a topic is at most 200 characters')
  })

  it('truncates a long malformed topic in its message', () => {
    const topic = `${'x'.repeat(100)}!`
    expect(topicProblem(topic, false)).toBe(`"${'x'.repeat(63)}…" is not a topic: ${SHAPE}`)
  })
})

describe('isPattern', () => {
  it('knows a pattern by "*" or a ":*" ending', () => {
    expect(isPattern('*')).toBe(true)
    expect(isPattern('news:*')).toBe(true)
    expect(isPattern('news')).toBe(false)
    expect(isPattern('news*')).toBe(false)
    expect(isPattern('news:a')).toBe(false)
  })
})

describe('matches', () => {
  it('an exact subscription receives only its topic', () => {
    expect(matches('chat:message', 'chat:message')).toBe(true)
    expect(matches('chat:message', 'chat:messages')).toBe(false)
    expect(matches('chat', 'chat:message')).toBe(false)
  })

  it('a pattern receives the topics under its prefix, at any depth, and not its siblings', () => {
    expect(matches('news:*', 'news:eu')).toBe(true)
    expect(matches('news:*', 'news:eu:fr')).toBe(true)
    expect(matches('news:*', 'newsy:eu')).toBe(false)
    expect(matches('news:*', 'news')).toBe(false)
    expect(matches('news:eu:*', 'news:us')).toBe(false)
  })

  it('"*" receives everything', () => {
    expect(matches('*', 'anything')).toBe(true)
    expect(matches('*', 'a:b:c')).toBe(true)
  })
})

describe('matches, with a pattern as the topic (one pattern covering another)', () => {
  it('relates patterns to topics and narrower patterns', () => {
    expect(matches('news:*', 'news:eu')).toBe(true)
    expect(matches('news:*', 'news:eu:*')).toBe(true)
    expect(matches('news:*', 'news:*')).toBe(true)
    expect(matches('*', 'news:*')).toBe(true)
    expect(matches('*', '*')).toBe(true)
    expect(matches('staff', 'staff')).toBe(true)
  })

  it('a narrower pattern or a plain topic does not cover a broader one', () => {
    expect(matches('news:eu:*', 'news:*')).toBe(false)
    expect(matches('news:*', '*')).toBe(false)
    expect(matches('news:eu', 'news:*')).toBe(false)
    expect(matches('staff', 'staffing')).toBe(false)
    expect(matches('news:*', 'newsy:a')).toBe(false)
  })
})

describe('findTopic', () => {
  const table: TopicTable = {
    '*': { replay: false },
    'news:*': { auth: false },
    'news:eu:*': { global: true },
    'news:eu:fr': { replay: true },
    staff: { auth: true },
  }

  it('prefers an exact key', () => {
    expect(findTopic(table, 'news:eu:fr')).toStrictEqual({ key: 'news:eu:fr', spec: { replay: true } })
    expect(findTopic(table, 'staff')).toStrictEqual({ key: 'staff', spec: { auth: true } })
    expect(findTopic(table, 'news:eu:*')).toStrictEqual({ key: 'news:eu:*', spec: { global: true } })
  })

  it('then the narrowest covering pattern, whatever the declaration order', () => {
    expect(findTopic(table, 'news:eu:de')).toStrictEqual({ key: 'news:eu:*', spec: { global: true } })
    expect(findTopic(table, 'news:us')).toStrictEqual({ key: 'news:*', spec: { auth: false } })
    expect(findTopic(table, 'news:eu:fr:paris')).toStrictEqual({ key: 'news:eu:*', spec: { global: true } })
    expect(findTopic(table, 'sports')).toStrictEqual({ key: '*', spec: { replay: false } })
    const reversed: TopicTable = { 'news:eu:*': { global: true }, 'news:*': {}, '*': {} }
    expect(findTopic(reversed, 'news:eu:x')?.key).toBe('news:eu:*')
    expect(findTopic(reversed, 'news:x')?.key).toBe('news:*')
  })

  it('a pattern is governed by a pattern that covers it, not by a narrower one', () => {
    expect(findTopic({ 'news:eu:*': {} }, 'news:*')).toBeUndefined()
    expect(findTopic({ 'news:*': {} }, '*')).toBeUndefined()
    expect(findTopic({ 'news:*': {} }, 'news:eu:*')?.key).toBe('news:*')
  })

  it('finds nothing for an undeclared topic, and ignores inherited keys', () => {
    expect(findTopic({ 'news:*': {}, staff: {} }, 'sports:x')).toBeUndefined()
    expect(findTopic({ staff: {} }, 'staffing')).toBeUndefined()
    expect(findTopic({}, 'constructor')).toBeUndefined()
    expect(findTopic({}, 'toString')).toBeUndefined()
  })
})

describe('checkTopics', () => {
  it('returns the table, or {} when there is none', () => {
    const table = { 'chat:message': {}, 'news:*': { global: true } }
    expect(checkTopics(table, 'channel "c"')).toBe(table)
    expect(checkTopics(undefined, 'channel "c"')).toStrictEqual({})
  })

  it.each([null, [], 'chat', 3])('refuses %j instead of an object', (topics) => {
    expect(() => checkTopics(topics, 'channel "c"')).toThrow(new WiringError('channel "c": topics must be an object of topic declarations'))
  })

  it('refuses a malformed key, naming the problem', () => {
    expect(() => checkTopics({ 'bad topic!': {} }, 'channel "c"')).toThrow(WiringError)
    expect(() => checkTopics({ 'bad topic!': {} }, 'channel "c"')).toThrow(`channel "c": topics: "bad topic!" is not a topic: ${SHAPE}`)
    expect(() => checkTopics({ 'a::b': {} }, 'channel "c"')).toThrow('channel "c": topics: "a::b" is not a topic')
    expect(() => checkTopics({ '': {} }, 'channel "c"')).toThrow('channel "c": topics: a topic must be a non-empty string')
  })

  it('accepts pattern keys', () => {
    expect(() => checkTopics({ '*': {}, 'news:*': {} }, 'w')).not.toThrow()
  })

  it.each([null, true, 'yes', 1])('refuses the declaration %j', (spec) => {
    expect(() => checkTopics({ staff: spec }, 'channel "c"')).toThrow(
      new WiringError('channel "c": topics["staff"] must be an object like { schema?, auth?, permissions?, replay?, global? }'),
    )
  })

  it('throws a WiringError (the class, not just the message)', () => {
    let caught: unknown
    try {
      checkTopics({ 'x y': {} }, 'w')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(WiringError)
    expect((caught as Error).name).toBe('WiringError')
  })
})

describe('DEFAULT_REPLAY', () => {
  it('keeps 1000 events for 10 minutes', () => {
    expect(DEFAULT_REPLAY).toStrictEqual({ count: 1000, maxAgeMs: 600_000 })
  })
})

describe('TopicMap (types)', () => {
  it('maps "prefix:*" keys to template literal types and keeps exact keys', () => {
    type Table = {
      'chat:message': { schema: import('valibot').GenericSchema<{ text: string }, { text: string }> }
      'news:*': { global: true }
      staff: {}
    }
    type Map = TopicMap<Table>
    expectTypeOf<keyof Map>().toEqualTypeOf<'chat:message' | `news:${string}` | 'staff'>()
    expectTypeOf<Map['chat:message']>().toEqualTypeOf<{ text: string }>()
    expectTypeOf<Map[`news:${string}`]>().toEqualTypeOf<unknown>()
    expectTypeOf<Map['staff']>().toEqualTypeOf<unknown>()
    expectTypeOf<TopicName<'news:*'>>().toEqualTypeOf<`news:${string}`>()
    expectTypeOf<TopicName<'*'>>().toEqualTypeOf<string>()
    expectTypeOf<TopicName<'plain'>>().toEqualTypeOf<'plain'>()
    expectTypeOf<'news:eu'>().toExtend<keyof Map>()
    expectTypeOf<'sports:eu'>().not.toExtend<keyof Map>()
  })
})
