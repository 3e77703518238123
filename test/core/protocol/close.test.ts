import { describe, expect, it } from 'vitest'
import { clampCloseReason, closeCodeFor, closeReplyFor, CloseCode, FINAL_CLOSE_CODES, isSendableCloseCode, isWireCloseCode } from '../../../src/core/protocol/close'

const utf8Length = (text: string) => new TextEncoder().encode(text).length

describe('close codes and reasons', () => {
  it.each([1000, 3000, 4000, 4401, 4999])('%i may be sent', (code) => {
    expect(isSendableCloseCode(code)).toBe(true)
  })

  it.each([999, 1001, 1005, 1011, 2000, 2999, 4000.5, 5000, Number.NaN])('%d may not be sent by channel.close', (code) => {
    expect(isSendableCloseCode(code)).toBe(false)
  })

  it('keeps a reason of up to 123 bytes', () => {
    expect(clampCloseReason('a'.repeat(123))).toBe('a'.repeat(123))
    const exact = 'a' + 'é'.repeat(61) // 1 + 122 bytes
    expect(clampCloseReason(exact)).toBe(exact)
  })

  it('cuts a longer reason to 123 bytes', () => {
    expect(clampCloseReason('a'.repeat(200))).toBe('a'.repeat(123))
  })

  it('cuts on a character boundary', () => {
    expect(clampCloseReason('aa' + 'é'.repeat(61))).toBe('aa' + 'é'.repeat(60))
    const emoji = clampCloseReason('😀'.repeat(40)) // 4 bytes each
    expect(emoji).toBe('😀'.repeat(30))
    expect(utf8Length(emoji)).toBe(120)
  })
})

describe('answering a client close (closeReplyFor)', () => {
  it.each([1000, 1001, 1002, 1008, 1011, 3000, 4000, 4999])('echoes %i', (code) => {
    expect(closeReplyFor(code)).toBe(code)
  })

  it('answers a close frame without a code (1005) with 1000: the peer is waiting for it', () => {
    expect(closeReplyFor(CloseCode.NO_STATUS)).toBe(1000)
  })

  it.each([CloseCode.ABNORMAL, CloseCode.TLS])('does not answer %i: no close frame came, and nobody is there', (code) => {
    expect(closeReplyFor(code)).toBeUndefined()
  })

  it.each([1004, 1016, 2000, 5000])('answers a code that cannot go on the wire (%i) with 1000', (code) => {
    expect(isWireCloseCode(code)).toBe(false)
    expect(closeReplyFor(code)).toBe(1000)
  })
})

describe('closing after a failed onConnect (closeCodeFor)', () => {
  it('maps the error code to its close code, anything unexpected to 1011', () => {
    expect(closeCodeFor('UNAUTHENTICATED')).toBe(4401)
    expect(closeCodeFor('FORBIDDEN')).toBe(4403)
    expect(closeCodeFor('INVALID_INPUT')).toBe(4400)
    expect(closeCodeFor('RATE_LIMITED')).toBe(4429)
    expect(closeCodeFor('INTERNAL')).toBe(1011)
    expect(closeCodeFor('BAD_MESSAGE')).toBe(1011)
  })
})

describe('final close codes (the client stops reconnecting)', () => {
  it('are normal, policy, bad opening data, auth and a removed channel', () => {
    expect([...FINAL_CLOSE_CODES].sort()).toStrictEqual([1000, 1008, 4400, 4401, 4403, 4404])
  })
})
