import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ANSWER_BOUNDS } from '../../../src/core/protocol/bounds'
import { pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { openChannel } from '../support/harness'

// Each input here once came back many times larger than it went in (issue 13):
// the answer must stay within a few kilobytes whatever the frame holds.
const MAX_ANSWER_BYTES = 8 * 1024

const strings = pikkuSessionlessFunc({ input: v.object({ items: v.array(v.string()) }), func: async (_services, { items }) => items.length })
const deep = pikkuSessionlessFunc({ input: v.object({ a: v.record(v.string(), v.string()) }), func: async () => 'ok' })

async function answerTo(frame: string, protocol?: 'pikku') {
  const opened = await openChannel({ auth: false, onMessageWiring: { strings, deep }, ...(protocol ? { protocol } : {}) }, {})
  const before = opened.socket.sent.length
  await opened.runtime.message(opened.conn, frame)
  const answers = opened.socket.sent.slice(before).map(String)
  expect(answers).toHaveLength(1)
  return answers[0]!
}

describe('answers are bounded', () => {
  it('answers 120,000 wrong numbers with 20 issues and the count of the rest', async () => {
    const frame = JSON.stringify({ action: 'strings', id: 1, data: { items: Array.from({ length: 120_000 }, (_, i) => i) } })
    expect(frame.length).toBeGreaterThan(200_000)
    const answer = await answerTo(frame)
    expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
    const { error } = JSON.parse(answer)
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.issues).toHaveLength(ANSWER_BOUNDS.issues)
    expect(error.moreIssues).toBe(120_000 - ANSWER_BOUNDS.issues)
  })

  it('does the same on the Pikku wire', async () => {
    const frame = JSON.stringify({ action: 'strings', items: Array.from({ length: 120_000 }, (_, i) => i) })
    const answer = await answerTo(frame, 'pikku')
    expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
    expect(JSON.parse(answer).error.moreIssues).toBe(120_000 - ANSWER_BOUNDS.issues)
  })

  it('caps a 10 KB action name in the echo', async () => {
    const action = 'x'.repeat(10_000)
    const answer = await answerTo(JSON.stringify({ action, id: 1, data: {} }))
    const frame = JSON.parse(answer)
    expect(frame.error.code).toBe('UNKNOWN_ACTION')
    expect(frame.action.length).toBeLessThanOrEqual(ANSWER_BOUNDS.echoChars)
    expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
  })

  it('caps a 10 KB action name on the Pikku wire too', async () => {
    const answer = await answerTo(JSON.stringify({ action: 'x'.repeat(10_000) }), 'pikku')
    expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
  })

  it('caps an issue path built from long keys', async () => {
    const data = { a: { ['k'.repeat(10_000)]: 1 } }
    const answer = await answerTo(JSON.stringify({ action: 'deep', data }))
    expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
    expect(JSON.parse(answer).error.issues[0].path[1]).toHaveLength(ANSWER_BOUNDS.keyChars)
  })

  it('caps an unknown $ action and a long topic', async () => {
    const answers = [
      await answerTo(JSON.stringify({ action: `$${'s'.repeat(10_000)}` })),
      await answerTo(JSON.stringify({ action: '$subscribe', data: { topic: 't'.repeat(100_000) } })),
    ]
    for (const answer of answers) expect(answer.length).toBeLessThan(MAX_ANSWER_BYTES)
  })
})
