import * as v from 'valibot'

/** What a chat connection opens with: `/chat/:room?name=...`. */
export const RoomOpening = v.object({
  room: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,32}$/, 'Room names are 1-32 lowercase letters, digits or dashes')),
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(32)), 'anonymous'),
})

export type RoomOpening = v.InferOutput<typeof RoomOpening>

/** One chat message as stored, sent and published. */
export const ChatMessage = v.object({
  id: v.number(),
  author: v.string(),
  text: v.string(),
  /** Milliseconds since the epoch. */
  at: v.number(),
})

export type ChatMessage = v.InferOutput<typeof ChatMessage>

/** Who a connection is: the signed-in user's name (a session from a sign-in token), else the name it joined with. */
export function nameOf(opening: RoomOpening, session: unknown): string {
  const userId = (session as { userId?: unknown } | undefined)?.userId
  return typeof userId === 'string' ? userId : opening.name
}
