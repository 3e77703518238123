import * as v from 'valibot'
import { AccessKeySchema, DirectionSchema, StreamIdSchema, type StreamDirection, type StreamRef } from './ref'

/** Where streams are served, under wherever `channels()` is mounted: `/ws/channels/{channel_id}`. */
export const STREAM_ROUTE = '/ws/channels/:channel_id'

/** An opening of one end, as its URL says: the ref, and for a reader that reconnects, how many frames it already has. */
export interface StreamOpening {
  channelId: string
  key: string
  direction: StreamDirection
  /** Frames the reader already received (it gets the ones after them); absent: from its last ack. */
  from?: number
}

const FromSchema = v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'from is a frame count'), v.transform(Number))
const OpeningSchema = v.object({ channel_id: StreamIdSchema, key: AccessKeySchema, dir: DirectionSchema, from: v.optional(FromSchema) })

/** The opening in a request's path parameter and query, or the issues that make it a broken ref. */
export function parseOpening(channelId: string | undefined, query: Record<string, string | undefined>): { opening: StreamOpening } | { issues: v.BaseIssue<unknown>[] } {
  const parsed = v.safeParse(OpeningSchema, { channel_id: channelId, key: query.key, dir: query.dir, from: query.from })
  if (!parsed.success) return { issues: parsed.issues }
  const { channel_id, key, dir, from } = parsed.output
  return { opening: from === undefined ? { channelId: channel_id, key, direction: dir } : { channelId: channel_id, key, direction: dir, from } }
}

/**
 * The URL that opens `ref`'s end on a Worker at `base` (`https://app.example.com`,
 * or with the prefix `channels()` is mounted under): `wss://…/ws/channels/{id}?key=…&dir=…`.
 */
export function streamUrl(base: string, ref: StreamRef, from?: number): string {
  const url = new URL(base)
  if (url.protocol === 'http:') url.protocol = 'ws:'
  else if (url.protocol === 'https:') url.protocol = 'wss:'
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws/channels/${ref.channel_id}`
  url.search = ''
  url.searchParams.set('key', ref.access_key)
  url.searchParams.set('dir', ref.direction)
  if (from !== undefined) url.searchParams.set('from', String(from))
  return url.toString()
}
