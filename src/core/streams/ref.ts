import * as v from 'valibot'

/** Which end of a stream a ref opens. */
export type StreamDirection = 'read' | 'write'

/**
 * A serializable handle on one end of a stream: plain JSON in iii's shape, so
 * it travels in any payload and iii's SDKs recognise it. Unlike iii, each
 * direction has its own key: a reader's ref cannot open the writer.
 */
export interface StreamRef {
  channel_id: string
  access_key: string
  direction: StreamDirection
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** 32 random bytes, base64url without padding. */
const KEY = /^[A-Za-z0-9_-]{43}$/

export const StreamIdSchema = v.pipe(v.string(), v.regex(ID, 'a stream id is a lowercase UUID'))
export const AccessKeySchema = v.pipe(v.string(), v.regex(KEY, 'an access key is 43 base64url characters'))
export const DirectionSchema = v.picklist(['read', 'write'], 'direction is "read" or "write"')

export const StreamRefSchema = v.object({ channel_id: StreamIdSchema, access_key: AccessKeySchema, direction: DirectionSchema })

/** Whether a value has a ref's three fields, well formed (how refs are found inside payloads). */
export function isStreamRef(value: unknown): value is StreamRef {
  return v.is(StreamRefSchema, value)
}

/** A new stream id. */
export function newStreamId(): string {
  return crypto.randomUUID()
}

/** A new access key: 256 random bits. */
export function newAccessKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Compares two keys in time that does not depend on where they differ. */
export function sameKey(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
