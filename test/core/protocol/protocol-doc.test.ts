import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_ACTIONS } from '../../../src/core/protocol/actions'
import { ANSWER_BOUNDS } from '../../../src/core/protocol/bounds'
import { CloseCode, StreamCloseCode } from '../../../src/core/protocol/close'
import { ERROR_CODES, SERVER_FRAME_TYPES } from '../../../src/core/protocol/frames'
import { HANDSHAKE_STATUS } from '../../../src/core/protocol/handshake'

// PROTOCOL.md is for people with a plain WebSocket; src/core/protocol is what
// the code does. These tests hold the two to each other, both ways.
const doc = readFileSync(join(__dirname, '../../../PROTOCOL.md'), 'utf8')

/** The rows of the first table after `heading`, as arrays of trimmed cells. */
function table(heading: string): string[][] {
  const start = doc.indexOf(heading)
  if (start < 0) throw new Error(`PROTOCOL.md has no "${heading}"`)
  const lines = doc.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()))
  }
  return rows
}

/** The first `code` in a cell (`INVALID_INPUT`, with `issues` -> INVALID_INPUT). */
const unquote = (cell: string) => /`([^`]+)`/.exec(cell)?.[1] ?? cell
const sorted = <T>(values: Iterable<T>) => [...values].sort()

describe('PROTOCOL.md and src/core/protocol', () => {
  it('name the same server frame types', () => {
    const documented = new Set([...doc.matchAll(/"type":\s*"([a-z]+)"/g)].map((match) => match[1]!))
    expect(sorted(documented)).toStrictEqual(sorted(SERVER_FRAME_TYPES))
  })

  it('list the same error codes', () => {
    expect(sorted(table('## Error codes').map(([code]) => unquote(code!)))).toStrictEqual(sorted(ERROR_CODES))
  })

  it('give every handshake refusal the same status', () => {
    const documented = Object.fromEntries(table('Handshake failures are answered').map(([status, , code]) => [unquote(code!), Number(status)]))
    expect(documented).toStrictEqual({ ...HANDSHAKE_STATUS })
  })

  it('list the same close codes', () => {
    const documented = table('## Close codes')
      .map(([code]) => code!)
      .filter((code) => /^\d+$/.test(code))
      .map(Number)
    expect(sorted(documented)).toStrictEqual(sorted(Object.values(CloseCode)))
  })

  it('list the same stream close codes', () => {
    const documented = table('### Stream close codes').map(([code]) => Number(code))
    expect(sorted(documented)).toStrictEqual(sorted(Object.values(StreamCloseCode)))
  })

  it('list the same built-in actions', () => {
    const documented = table('Actions starting with `$` are built in').map(([action]) => unquote(action!))
    expect(sorted(documented)).toStrictEqual(sorted(BUILT_IN_ACTIONS))
  })

  it('state the bounds every error keeps', () => {
    const documented = table('Every error is bounded').map(([, value]) => value!)
    const { issues, messageChars, pathKeys, keyChars, echoChars } = ANSWER_BOUNDS
    expect(documented).toStrictEqual([
      `at most ${issues}; \`moreIssues\` counts the rest`,
      `${messageChars} (cut with \`…\`)`,
      `the innermost ${pathKeys}, each at most ${keyChars} characters`,
      `${echoChars}`,
    ])
  })
})
