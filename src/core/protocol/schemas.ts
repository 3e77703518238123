import * as v from 'valibot'
import { ERROR_CODES } from './frames'
import { MAX_ID_LENGTH } from './parse'

/**
 * The frames of `frames.ts` as valibot schemas: the runtime validates the
 * built-in actions' input with them, and `meta/` turns them into the
 * AsyncAPI document's envelopes. A type test holds each equal to its type.
 */

export const RequestIdSchema = v.pipe(
  v.union([v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH)), v.pipe(v.number(), v.finite())]),
  v.description(`Correlates a request with its reply or error: a string of up to ${MAX_ID_LENGTH} characters, or a finite number.`),
)

export const ErrorCodeSchema = v.picklist(ERROR_CODES)

export const ErrorIssueSchema = v.object({
  message: v.string(),
  path: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.description('Keys from the root of the input to the offending value'))),
})

export const ErrorPayloadSchema = v.object({
  code: ErrorCodeSchema,
  message: v.string(),
  issues: v.optional(v.pipe(v.array(ErrorIssueSchema), v.description('Validation problems (INVALID_INPUT), each with the path from the root of the input; at most 20.'))),
  moreIssues: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description('Issues there were beyond those listed'))),
})

// ---------------------------------------------------------------- client to server

export const ActionFrameSchema = v.object({
  action: v.pipe(v.string(), v.minLength(1)),
  id: v.optional(RequestIdSchema),
  data: v.optional(v.unknown()),
})

export const SubscribeInputSchema = v.object({
  topic: v.pipe(v.string(), v.description('A topic the channel declares, or a pattern such as "chat:*"')),
  since: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description('The last seq seen: replay the events after it first'))),
})

export const SubscribeReplySchema = v.object({
  topic: v.string(),
  seq: v.pipe(v.number(), v.integer(), v.description('Where the sequence stands now')),
  replayed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Events replayed before this reply'))),
  resync: v.optional(v.pipe(v.literal(true), v.description('The log does not reach back to `since`: refetch state'))),
})

export const UnsubscribeInputSchema = v.object({ topic: v.string() })

export const UnsubscribeReplySchema = v.object({
  topic: v.string(),
  unsubscribed: v.pipe(v.boolean(), v.description('False if it was not subscribed')),
})

export const PresenceInputSchema = v.object({
  watch: v.optional(v.pipe(v.boolean(), v.description('Keep being sent presence frames (default true); false asks once and stops watching'))),
})

export const PresenceMemberSchema = v.object({
  id: v.pipe(v.string(), v.description("The session's userId, else the connection's channelId")),
  data: v.pipe(v.unknown(), v.description('What the channel shows others of this member')),
  connections: v.pipe(v.number(), v.integer(), v.minValue(1), v.description('Its open connections')),
})

export const PresenceReplySchema = v.object({
  count: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Members here now')),
  members: v.pipe(v.array(PresenceMemberSchema), v.description('Every member, or in a large room a sample')),
  sampled: v.optional(v.pipe(v.literal(true), v.description('Above the largeRoom threshold: members is a sample'))),
})

// ---------------------------------------------------------------- server to client

export const WelcomeFrameSchema = v.object({
  type: v.literal('welcome'),
  channelId: v.pipe(v.string(), v.description("This connection's unique id")),
  data: v.optional(v.unknown()),
  retryWindowMs: v.optional(v.pipe(v.number(), v.description('With a $resume token: how long an answer is kept for a retry, in ms'))),
})

export const ReplyFrameSchema = v.object({
  type: v.literal('reply'),
  action: v.optional(v.string()),
  id: v.optional(RequestIdSchema),
  data: v.optional(v.unknown()),
})

export const ErrorFrameSchema = v.object({
  type: v.literal('error'),
  action: v.optional(v.string()),
  id: v.optional(RequestIdSchema),
  error: ErrorPayloadSchema,
})

export const MessageFrameSchema = v.object({
  type: v.literal('message'),
  data: v.optional(v.unknown()),
})

export const EventFrameSchema = v.object({
  type: v.literal('event'),
  topic: v.string(),
  data: v.unknown(),
  seq: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Monotonic per channel instance; it may skip')),
})

export const BinaryEventHeaderSchema = v.object({
  type: v.literal('event'),
  topic: v.string(),
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  binary: v.pipe(v.literal(true), v.description('The payload is the next frame, a binary one')),
})

export const PresenceFrameSchema = v.object({
  type: v.literal('presence'),
  count: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Members here now')),
  joins: v.optional(v.array(PresenceMemberSchema)),
  updates: v.optional(v.pipe(v.array(PresenceMemberSchema), v.description('Members whose data or connection count changed'))),
  leaves: v.optional(v.pipe(v.array(v.string()), v.description('Ids of members whose last connection closed'))),
  members: v.optional(v.pipe(v.array(PresenceMemberSchema), v.description('Replaces the list: the sample in a large room, or everyone on the way back below the threshold'))),
  sampled: v.optional(v.pipe(v.literal(true), v.description('A large room: only count and the sample are sent'))),
})

export const PongFrameSchema = v.object({
  type: v.literal('pong'),
  id: v.optional(RequestIdSchema),
})

export const ServerFrameSchema = v.union([
  WelcomeFrameSchema,
  ReplyFrameSchema,
  ErrorFrameSchema,
  MessageFrameSchema,
  EventFrameSchema,
  BinaryEventHeaderSchema,
  PresenceFrameSchema,
  PongFrameSchema,
])
