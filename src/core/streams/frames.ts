import { MAX_FRAME_BYTES } from './limits'

/**
 * The frames of a stream's wire. Between writer and reader, TEXT frames are
 * messages and BINARY frames are data, told apart by opcode alone (iii's
 * shape: no envelope). The broker's frames to the writer and the reader's
 * frames to the broker carry no data, so their TEXT frames are control:
 */

/** Broker to writer: you may send frames up to number `credit`; frames up to `received` are stored (resend the rest after a reconnect). */
export interface CreditFrame {
  credit: number
  received: number
}

/** Reader to broker: I have consumed `ack` frames from the start (cumulative); delete them and give the writer credit. */
export interface AckFrame {
  ack: number
}

export const encodeCredit = (frame: CreditFrame): string => JSON.stringify({ credit: frame.credit, received: frame.received })
export const encodeAck = (ack: number): string => JSON.stringify({ ack })

const count = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A credit frame, or undefined for anything else. */
export function parseCredit(text: string): CreditFrame | undefined {
  const value = parseObject(text)
  return value && count(value.credit) && count(value.received) ? { credit: value.credit, received: value.received } : undefined
}

/** An ack frame's count, or undefined for anything else. */
export function parseAck(text: string): number | undefined {
  const value = parseObject(text)
  return value && count(value.ack) ? value.ack : undefined
}

/** Cuts bytes into frames of at most 64 KiB, each a copy (the caller may reuse its buffer once `write` resolves). */
export function cutFrames(bytes: Uint8Array, size = MAX_FRAME_BYTES): Uint8Array[] {
  const frames: Uint8Array[] = []
  for (let start = 0; start < bytes.byteLength; start += size) frames.push(bytes.slice(start, start + size))
  return frames
}
