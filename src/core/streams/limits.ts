/** The largest binary frame: `write()` cuts bigger buffers into frames of this size. */
export const MAX_FRAME_BYTES = 64 * 1024

/** The largest text message, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024

export const DEFAULT_BUFFER_FRAMES = 64
export const MAX_BUFFER_FRAMES = 1024

/** How long a stream may sit idle (no ack, no opening, no end) before it expires. */
export const DEFAULT_TTL_MS = 10 * 60_000
export const MAX_TTL_MS = 7 * 24 * 60 * 60_000

/** Options of a new stream. */
export interface StreamOptions {
  /** Frames (binary or text) held between writer and reader at most; the writer waits past it. Default 64, at most 1024. */
  bufferFrames?: number
  /** Idle time after which the stream expires, in ms: no ack, opening or end for that long. Default 10 minutes. */
  ttlMs?: number
}

/** The options with defaults in place; throws a RangeError naming a bad one. */
export function resolveStreamOptions(options: StreamOptions = {}): Required<StreamOptions> {
  const bufferFrames = options.bufferFrames ?? DEFAULT_BUFFER_FRAMES
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  if (!Number.isInteger(bufferFrames) || bufferFrames < 1 || bufferFrames > MAX_BUFFER_FRAMES) {
    throw new RangeError(`bufferFrames must be an integer from 1 to ${MAX_BUFFER_FRAMES}, got ${bufferFrames}`)
  }
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) throw new RangeError(`ttlMs must be an integer from 1 to ${MAX_TTL_MS}, got ${ttlMs}`)
  return { bufferFrames, ttlMs }
}
