import { describe, expect, it } from 'vitest'
import { ANSWER_BOUNDS, boundEcho, boundError } from '../../../src/core/protocol/bounds'

describe('boundError', () => {
  it('keeps a small error as it is', () => {
    const error = { code: 'INVALID_INPUT' as const, message: 'Input is invalid', issues: [{ message: 'Expected string', path: ['text'] }] }
    expect(boundError(error)).toStrictEqual(error)
  })

  it('lists at most 20 issues and counts the rest', () => {
    const issues = Array.from({ length: 120_000 }, (_, i) => ({ message: 'Expected string', path: [i] }))
    const bounded = boundError({ code: 'INVALID_INPUT', message: 'Input is invalid', issues })
    expect(bounded.issues).toHaveLength(ANSWER_BOUNDS.issues)
    expect(bounded.issues![0]).toStrictEqual({ message: 'Expected string', path: [0] })
    expect(bounded.moreIssues).toBe(120_000 - ANSWER_BOUNDS.issues)
  })

  it('adds to a count that was already there', () => {
    expect(boundError({ code: 'INVALID_INPUT', message: 'x', issues: [{ message: 'a' }], moreIssues: 5 }).moreIssues).toBe(5)
  })

  it('cuts long messages, long paths and long keys', () => {
    const path = Array.from({ length: 1000 }, (_, i) => `${'k'.repeat(500)}${i}`)
    const bounded = boundError({ code: 'INVALID_INPUT', message: 'm'.repeat(10_000), issues: [{ message: 'i'.repeat(10_000), path }] })
    expect(bounded.message).toHaveLength(ANSWER_BOUNDS.messageChars)
    expect(bounded.message.endsWith('…')).toBe(true)
    const [issue] = bounded.issues!
    expect(issue!.message).toHaveLength(ANSWER_BOUNDS.messageChars)
    expect(issue!.path).toHaveLength(ANSWER_BOUNDS.pathKeys)
    expect(issue!.path!.every((key) => String(key).length <= ANSWER_BOUNDS.keyChars)).toBe(true)
    // The innermost keys are the ones that say where the problem is.
    expect(String(issue!.path!.at(-1)).endsWith('…')).toBe(true)
  })
})

describe('boundEcho', () => {
  it('caps what is echoed from the client', () => {
    expect(boundEcho('send')).toBe('send')
    expect(boundEcho(undefined)).toBeUndefined()
    expect(boundEcho('a'.repeat(10_000))).toHaveLength(ANSWER_BOUNDS.echoChars)
  })
})
