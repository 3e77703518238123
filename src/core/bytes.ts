const textEncoder = new TextEncoder()

/** Whether a frame is over `limit` bytes, without encoding text unless it has to. */
export function exceeds(message: string | ArrayBuffer | ArrayBufferView, limit: number): boolean {
  if (typeof message !== 'string') return message.byteLength > limit
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: decide cheaply when we can.
  if (message.length > limit) return true
  if (message.length * 3 <= limit) return false
  return textEncoder.encode(message).byteLength > limit
}
