import { exceeds } from '../bytes'
import { StreamCloseCode } from '../protocol/close'
import type { HandshakeErrorCode } from '../protocol/handshake'
import type { CreditFrame } from './frames'
import { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from './limits'
import { sameKey } from './ref'
import type { StreamOpening } from './address'

/**
 * The broker's rules, as pure functions of what it stores: who may open an
 * end, which frames it takes, what an ack does, when a stream expires. The
 * Durable Object shell (src/cloudflare/streams/broker.ts) keeps the record in
 * SQLite and the sockets; everything it decides, it asks here.
 */

/**
 * - `open`: the writer may still send;
 * - `ended`: the writer closed cleanly, the reader may still be catching up;
 * - `done`: the reader has acknowledged every frame of an ended stream;
 * - `aborted`, `expired`: over, frames discarded, `reason` says why.
 */
export type StreamPhase = 'open' | 'ended' | 'done' | 'aborted' | 'expired'

export interface StreamRecord {
  writerKey: string
  readerKey: string
  bufferFrames: number
  ttlMs: number
  phase: StreamPhase
  reason: string
  /** Frames received from the writer, from the start; frame n is the n-th. */
  written: number
  /** Frames the reader acknowledged, from the start; frames after it are held in storage. */
  acked: number
  /** The most frames ever held at once (for tests and the status RPC). */
  maxHeld: number
  /** When the last ack, opening or end happened (ms since the epoch). Frames do not count: a writer sends at most bufferFrames without an ack, so acks are the progress. */
  activeAt: number
  writerSeen: boolean
  readerSeen: boolean
}

/** A refusal of an opening, before the upgrade. */
export interface Refusal {
  code: HandshakeErrorCode
  message: string
}

/** A socket the broker closes, with the code and reason it closes it with. */
export interface Violation {
  code: number
  reason: string
}

export const held = (record: StreamRecord): number => record.written - record.acked

/** What the broker grants the writer: frames up to `acked + bufferFrames`. */
export function creditFor(record: StreamRecord): CreditFrame {
  return { credit: record.acked + record.bufferFrames, received: record.written }
}

/** Why an opening is refused, or undefined to accept it. `busy`: that end already has a live socket. */
export function openingRefusal(record: StreamRecord | undefined, opening: StreamOpening, busy: boolean): Refusal | undefined {
  if (!record) return { code: 'NOT_FOUND', message: `No stream ${opening.channelId} (never made, or cleaned up after it finished)` }
  const key = opening.direction === 'write' ? record.writerKey : record.readerKey
  if (!sameKey(opening.key, key)) return { code: 'FORBIDDEN', message: `That key does not open the ${opening.direction === 'write' ? 'writer' : 'reader'} of this stream` }
  if (record.phase === 'aborted') return { code: 'STREAM_ABORTED', message: `The stream was aborted: ${record.reason}` }
  if (record.phase === 'expired') return { code: 'STREAM_EXPIRED', message: `The stream expired: ${record.reason}` }
  if (opening.direction === 'write' && record.phase !== 'open') return { code: 'STREAM_FINISHED', message: 'The writer already ended this stream' }
  if (opening.direction === 'read' && record.phase === 'done') return { code: 'STREAM_FINISHED', message: 'This stream was already read to the end' }
  if (busy) return { code: 'STREAM_BUSY', message: `The ${opening.direction === 'write' ? 'writer' : 'reader'} of this stream is open on another socket; each end opens once` }
  if (opening.from !== undefined && (opening.from < record.acked || opening.from > record.written)) {
    return { code: 'INVALID_INPUT', message: `from=${opening.from} is outside what this stream holds (frames ${record.acked} to ${record.written} received)` }
  }
  return undefined
}

/** Why a frame from the writer is refused (the stream is then aborted), or undefined to store it. */
export function frameViolation(record: StreamRecord, frame: string | ArrayBuffer): Violation | undefined {
  if (typeof frame !== 'string' && frame.byteLength > MAX_FRAME_BYTES) {
    return { code: StreamCloseCode.FRAME_TOO_LARGE, reason: `A binary frame of ${frame.byteLength} bytes; at most ${MAX_FRAME_BYTES}` }
  }
  if (typeof frame === 'string' && exceeds(frame, MAX_MESSAGE_BYTES)) return { code: StreamCloseCode.MESSAGE_TOO_LARGE, reason: `A text message over ${MAX_MESSAGE_BYTES} bytes` }
  if (held(record) >= record.bufferFrames) return { code: StreamCloseCode.CREDIT_EXCEEDED, reason: `Frame ${record.written + 1} sent past the credit granted (${creditFor(record).credit})` }
  return undefined
}

/** What an ack does: `advance` to a new count, `stale` (already acked: nothing), or a violation closing the reader. */
export function ackOutcome(record: StreamRecord, ack: number | undefined): 'advance' | 'stale' | Violation {
  if (ack === undefined) return { code: StreamCloseCode.PROTOCOL_ERROR, reason: 'A reader sends only acks: {"ack": <frames consumed>}' }
  if (ack > record.written) return { code: StreamCloseCode.PROTOCOL_ERROR, reason: `Ack of ${ack} frames; only ${record.written} were sent` }
  return ack > record.acked ? 'advance' : 'stale'
}

/** Whether an ended stream has been read to the end. */
export const readToEnd = (record: StreamRecord): boolean => record.phase === 'ended' && record.acked === record.written

export const isOver = (record: StreamRecord): boolean => record.phase === 'done' || record.phase === 'aborted' || record.phase === 'expired'

/** Why a stream idle since `activeAt` expires at `now`, or undefined if it is not due yet. */
export function expiryReason(record: StreamRecord, now: number): string | undefined {
  if (isOver(record) || now < record.activeAt + record.ttlMs) return undefined
  if (!record.writerSeen && record.phase === 'open') return `no writer opened it within ${record.ttlMs} ms`
  if (!record.readerSeen) return `no reader opened it within ${record.ttlMs} ms`
  return `idle for ${record.ttlMs} ms`
}
