import type { ErrorPayload, EventFrame, MessageFrame, ReplyFrame, RequestId } from './frames'
import type { IncomingFrame } from './parse'

/**
 * The wire modes a channel can speak, chosen per channel with `wireChannel({ protocol })`:
 * protocol v1 (the default, and what our client speaks), or the frames
 * Pikku's own WebSocket client expects. PROTOCOL.md describes both.
 */
export const WIRE_PROTOCOLS = ['v1', 'pikku'] as const

export type WireProtocol = (typeof WIRE_PROTOCOLS)[number]

/** A reply, message or event on its way to the socket, after channel middleware (which may add fields). */
export type OutboundFrame = (ReplyFrame | MessageFrame | EventFrame) & { [field: string]: unknown }

/** An EventHub delivery as a publish encoded it once for every subscriber. */
export interface EncodedEvent {
  /** The v1 `event` frame; for a binary event, its header. */
  readonly frame: string
  /** The payload as JSON text (absent for a binary event). */
  readonly json?: string
  /** A binary event's payload. */
  readonly bytes?: Uint8Array
}

/** Where frames go: a connection. */
export interface FrameSink {
  send(frame: string | Uint8Array): void
}

/** What a connection is sent when it opens, around whatever `onConnect` sent with `channel.send`. */
export interface Opening {
  /** Before what `onConnect` sent: v1's `welcome`. */
  first?: string
  /** After it: in Pikku mode, what `onConnect` returned (Pikku's server sends it when onConnect returns). */
  last?: string
}

/**
 * One wire mode: how a channel reads its clients' text frames and encodes
 * everything it sends them. The runtime picks one per channel
 * (`wireFormatFor`) and never asks which one it has: every frame is parsed
 * and encoded through it, after channel middleware has seen the same
 * `ChannelEvent`s in either mode.
 */
export interface WireFormat {
  readonly protocol: WireProtocol
  /**
   * Reads a client's text frame: the action (undefined for `onMessage`), a
   * request id if the mode has them, and the input. Throws `FrameError`
   * (BAD_MESSAGE). `needsAction` is false on channels with an `onMessage` fallback.
   */
  parse(text: string, needsAction: boolean): IncomingFrame
  /** What can be read of a frame refused before parsing (rate limited), to address the error; never throws. */
  correlate(text: string): { action?: string; id?: RequestId }
  /** Whether a handler that returned nothing is still answered (with an acknowledgement). */
  acknowledges(frame: IncomingFrame): boolean
  /** The frames a connection opens with, given what `onConnect` returned (and, for a resumable connection, how long answers are kept). */
  opening(channelId: string, result: unknown, retryWindowMs?: number): Opening
  /** A reply, a message (`channel.send`) or an event, after channel middleware. */
  encode(frame: OutboundFrame): string
  /** An error, addressed to the action (and id) it answers when they are known. */
  error(action: string | undefined, id: RequestId | undefined, error: ErrorPayload): string
  /** The answer to `$ping`. */
  pong(id: RequestId | undefined): string
  /** Sends an event that skips channel middleware (none is wired, or it is binary) as this mode frames it. */
  event(event: EncodedEvent, to: FrameSink): void
}
