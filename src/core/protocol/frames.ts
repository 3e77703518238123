/**
 * Every frame of wire protocol v1, as types: the one description of the
 * protocol that the runtime's encoders, the client's decoder, the AsyncAPI
 * document (through `schemas.ts`, checked equal to these by a type test) and
 * PROTOCOL.md (checked by a test) all follow.
 *
 * Pure types and constants: the browser client imports this file.
 */

/** A request id as the client sent it (a string of up to 128 characters, or a finite number); echoed back untouched. */
export type RequestId = string | number

/**
 * The closed set of error codes a client can receive in an `error` frame.
 * Adding a code is a protocol change: clients switch on these.
 */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'UNKNOWN_ACTION',
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TOO_LARGE',
  'LIMIT_REACHED',
  'RESULT_NOT_KEPT',
  'BINARY_NOT_SUPPORTED',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** One validation problem, reduced to what a client can act on. */
export interface ErrorIssue {
  message: string
  /** Keys from the root of the input to the offending value. */
  path?: (string | number)[]
}

/** The `error` object of an error frame (and of a refused handshake's JSON body). */
export interface ErrorPayload {
  code: ErrorCode
  message: string
  /** At most 20 (see `ANSWER_BOUNDS`). */
  issues?: ErrorIssue[]
  /** Issues there were beyond those listed. */
  moreIssues?: number
}

// ---------------------------------------------------------------- client to server

/**
 * An action, as a client sends it. The routing field is `action` unless the
 * channel routes on another one (built-in `$` actions are always `action`).
 * Without `data`, every field but the routing field and `id` is the input.
 */
export interface ActionFrame {
  action: string
  /** Asks for a correlated `reply` or `error`. */
  id?: RequestId
  data?: unknown
}

/** Input of the built-in `$subscribe`. */
export interface SubscribeInput {
  /** A topic the channel declares, or a pattern such as `chat:*`. */
  topic: string
  /** The last `seq` seen: the events after it that the replay log holds arrive before the reply. */
  since?: number
}

/** The `data` of `$subscribe`'s reply. */
export interface SubscribeReply {
  topic: string
  /** Where this instance's sequence stands now. */
  seq: number
  /** Events replayed before this reply (when `since` was given). */
  replayed?: number
  /** The log does not reach back to `since`: nothing was replayed; refetch state. */
  resync?: true
}

/** Input of the built-in `$unsubscribe`. */
export interface UnsubscribeInput {
  topic: string
}

/** The `data` of `$unsubscribe`'s reply. */
export interface UnsubscribeReply {
  topic: string
  /** False if it was not subscribed. */
  unsubscribed: boolean
}

/** Input of the built-in `$presence`. */
export interface PresenceInput {
  /** Keep being sent `presence` frames as members join, leave and change. Default true; `false` asks once and stops watching. */
  watch?: boolean
}

/** One member of a channel instance: a user (by the session's `userId`) or, without one, a connection. */
export interface PresenceMember {
  /** The session's `userId`, else the connection's `channelId`. */
  id: string
  /** What the channel shows others of this member (`presence.of`, or `channel.setPresence`). */
  data: unknown
  /** Its open connections (two tabs are one member with two). */
  connections: number
}

/** The `data` of `$presence`'s reply: who is here now. */
export interface PresenceReply {
  /** Members here now. */
  count: number
  /** Every member; in a large room (`sampled`), a sample of them. */
  members: PresenceMember[]
  /** The room is above the channel's `largeRoom` threshold: `members` is a sample, and watchers are sent counts and the sample. */
  sampled?: true
}

// ---------------------------------------------------------------- server to client

/** Always the first frame of a connection. */
export interface WelcomeFrame {
  type: 'welcome'
  /** This connection's unique id. */
  channelId: string
  /** What `onConnect` returned, absent if nothing. */
  data?: unknown
  /** Present when the connection was opened with a `$resume` token: how long an answer is kept for a retry, in ms. */
  retryWindowMs?: number
}

/** A handler's return value, for the request with this `action` and `id`. */
export interface ReplyFrame {
  type: 'reply'
  action?: string
  id?: RequestId
  /** Absent when the handler returned nothing (an acknowledgement). */
  data?: unknown
}

/** A request that failed; `action` and `id` are echoed when they could be read. */
export interface ErrorFrame {
  type: 'error'
  action?: string
  id?: RequestId
  error: ErrorPayload
}

/** An explicit `channel.send(data)`; no `data` when it sent `undefined`. */
export interface MessageFrame {
  type: 'message'
  data?: unknown
}

/** An EventHub delivery; `seq` is monotonic per channel instance and survives hibernation. */
export interface EventFrame {
  type: 'event'
  topic: string
  data: unknown
  seq: number
}

/** The header of a binary event: the next frame is one binary frame carrying the payload. */
export interface BinaryEventHeader {
  type: 'event'
  topic: string
  seq: number
  binary: true
}

/**
 * Sent to watchers (connections that asked `$presence`): what changed since the
 * last one, all the changes of one turn in one frame. With `members`, the list
 * is replaced instead: in a large room (`sampled`), the sample; on the way
 * back below the threshold, everyone.
 */
export interface PresenceFrame {
  type: 'presence'
  /** Members here now. */
  count: number
  joins?: PresenceMember[]
  /** Members still here whose data or connection count changed. */
  updates?: PresenceMember[]
  /** Ids of members who left (their last connection closed). */
  leaves?: string[]
  /** The members to show now, replacing the previous list. */
  members?: PresenceMember[]
  /** The room is large: no joins, updates or leaves, only `count` and, when it changed, the sample as `members`. */
  sampled?: true
}

/** The answer to `$ping`. */
export interface PongFrame {
  type: 'pong'
  id?: RequestId
}

/** Every text frame a server sends. */
export type ServerFrame = WelcomeFrame | ReplyFrame | ErrorFrame | MessageFrame | EventFrame | BinaryEventHeader | PresenceFrame | PongFrame

/** The `type`s a server frame can have. */
export type ServerFrameType = ServerFrame['type']

export const SERVER_FRAME_TYPES: readonly ServerFrameType[] = ['welcome', 'reply', 'error', 'message', 'event', 'presence', 'pong']
