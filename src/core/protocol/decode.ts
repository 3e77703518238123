import { SERVER_FRAME_TYPES, type ServerFrame } from './frames'

const KNOWN_TYPES = new Set<string>(SERVER_FRAME_TYPES)

/**
 * Reads a server text frame on the client side: the parsed frame when it is a
 * JSON object with a known `type`, else undefined (a newer server's frame
 * types are ignored, not fatal). Fields are trusted as the server encoded them.
 */
export function decodeServerFrame(text: string): ServerFrame | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const type = (value as { type?: unknown }).type
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? (value as ServerFrame) : undefined
}
