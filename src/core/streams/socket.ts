/** What an end needs of a WebSocket: the standard API (browsers, Node 22, `ws`) and Workers' sockets fit. */
export interface StreamSocket {
  binaryType: string
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
}

/**
 * Opens one end of a stream: resolves with an open socket, rejects with a
 * `StreamError` for a refusal retrying cannot change (403, 404, 409, 410, 400),
 * or with any other error for a failure worth retrying. `from` is a reader's
 * count of frames already received.
 */
export type StreamConnect = (from?: number) => Promise<StreamSocket>

/** A frame's data as bytes, whatever the socket delivered it as. */
export function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('A binary frame arrived as neither an ArrayBuffer nor a view: set binaryType to "arraybuffer"')
}
