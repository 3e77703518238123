import { describe, expect, it } from 'vitest'
import { StreamCloseCode } from '../../../src/core/protocol/close'
import type { StreamOpening } from '../../../src/core/streams/address'
import { ackOutcome, creditFor, expiryReason, frameViolation, openingRefusal, readToEnd, type StreamRecord } from '../../../src/core/streams/broker-rules'
import { newAccessKey, newStreamId } from '../../../src/core/streams/ref'

const record = (over: Partial<StreamRecord> = {}): StreamRecord => ({
  writerKey: newAccessKey(),
  readerKey: newAccessKey(),
  bufferFrames: 4,
  ttlMs: 1000,
  phase: 'open',
  reason: '',
  written: 0,
  acked: 0,
  maxHeld: 0,
  activeAt: 10_000,
  writerSeen: false,
  readerSeen: false,
  ...over,
})

const opening = (r: StreamRecord, direction: 'read' | 'write', over: Partial<StreamOpening> = {}): StreamOpening => ({
  channelId: newStreamId(),
  key: direction === 'write' ? r.writerKey : r.readerKey,
  direction,
  ...over,
})

describe('who may open an end', () => {
  it('each end with its own key, once, while it is not finished', () => {
    const r = record()
    expect(openingRefusal(r, opening(r, 'write'), false)).toBeUndefined()
    expect(openingRefusal(r, opening(r, 'read'), false)).toBeUndefined()
    expect(openingRefusal(undefined, opening(r, 'read'), false)?.code).toBe('NOT_FOUND')
    expect(openingRefusal(r, opening(r, 'write', { key: r.readerKey }), false)?.code).toBe('FORBIDDEN')
    expect(openingRefusal(r, opening(r, 'read', { key: r.writerKey }), false)?.code).toBe('FORBIDDEN')
    expect(openingRefusal(r, opening(r, 'read'), true)?.code).toBe('STREAM_BUSY')
  })

  it('tells aborted, expired and finished apart', () => {
    const aborted = record({ phase: 'aborted', reason: 'disk full' })
    expect(openingRefusal(aborted, opening(aborted, 'read'), false)).toEqual({ code: 'STREAM_ABORTED', message: 'The stream was aborted: disk full' })
    const expired = record({ phase: 'expired', reason: 'idle' })
    expect(openingRefusal(expired, opening(expired, 'write'), false)?.code).toBe('STREAM_EXPIRED')
    const ended = record({ phase: 'ended' })
    expect(openingRefusal(ended, opening(ended, 'write'), false)?.code).toBe('STREAM_FINISHED')
    expect(openingRefusal(ended, opening(ended, 'read'), false)).toBeUndefined()
    const done = record({ phase: 'done' })
    expect(openingRefusal(done, opening(done, 'read'), false)?.code).toBe('STREAM_FINISHED')
  })

  it('a reader resumes from between its last ack and the last frame', () => {
    const r = record({ written: 10, acked: 4 })
    for (const from of [4, 7, 10]) expect(openingRefusal(r, opening(r, 'read', { from }), false)).toBeUndefined()
    for (const from of [3, 11]) expect(openingRefusal(r, opening(r, 'read', { from }), false)?.code).toBe('INVALID_INPUT')
  })
})

describe('frames and acks', () => {
  it('a writer sends up to bufferFrames past the last ack', () => {
    expect(creditFor(record({ written: 6, acked: 3 }))).toEqual({ credit: 7, received: 6 })
    expect(frameViolation(record({ written: 6, acked: 3 }), 'ok')).toBeUndefined()
    expect(frameViolation(record({ written: 7, acked: 3 }), 'past')?.code).toBe(StreamCloseCode.CREDIT_EXCEEDED)
  })

  it('frames over their size are refused with their own code', () => {
    expect(frameViolation(record(), new ArrayBuffer(65536))).toBeUndefined()
    expect(frameViolation(record(), new ArrayBuffer(65537))?.code).toBe(StreamCloseCode.FRAME_TOO_LARGE)
    expect(frameViolation(record(), 'é'.repeat(32768))).toBeUndefined()
    expect(frameViolation(record(), 'é'.repeat(32769))?.code).toBe(StreamCloseCode.MESSAGE_TOO_LARGE)
  })

  it('an ack advances, repeats harmlessly, or is a protocol error', () => {
    const r = record({ written: 5, acked: 2 })
    expect(ackOutcome(r, 3)).toBe('advance')
    expect(ackOutcome(r, 5)).toBe('advance')
    expect(ackOutcome(r, 2)).toBe('stale')
    expect(ackOutcome(r, 6)).toMatchObject({ code: StreamCloseCode.PROTOCOL_ERROR })
    expect(ackOutcome(r, undefined)).toMatchObject({ code: StreamCloseCode.PROTOCOL_ERROR })
  })

  it('an ended stream is read to the end once every frame is acked', () => {
    expect(readToEnd(record({ phase: 'ended', written: 3, acked: 3 }))).toBe(true)
    expect(readToEnd(record({ phase: 'ended', written: 3, acked: 2 }))).toBe(false)
    expect(readToEnd(record({ phase: 'open', written: 3, acked: 3 }))).toBe(false)
  })
})

describe('expiry', () => {
  it('is due a TTL after the last activity, and says which end never came', () => {
    expect(expiryReason(record(), 10_999)).toBeUndefined()
    expect(expiryReason(record(), 11_000)).toBe('no writer opened it within 1000 ms')
    expect(expiryReason(record({ writerSeen: true }), 11_000)).toBe('no reader opened it within 1000 ms')
    expect(expiryReason(record({ phase: 'ended', writerSeen: true }), 11_000)).toBe('no reader opened it within 1000 ms')
    expect(expiryReason(record({ writerSeen: true, readerSeen: true }), 11_000)).toBe('idle for 1000 ms')
    expect(expiryReason(record({ phase: 'done' }), 99_000)).toBeUndefined()
  })
})
