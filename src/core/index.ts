// The pure API (`pikku-durable-channels/core`): wiring, function kinds, the types handlers see, errors.
// No Cloudflare imports, so wirings written against it type-check in a browser or Node project too.

// Function kinds
export { pikkuFunc, pikkuSessionlessFunc, pikkuFuncSessionless, pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc } from './wiring/function'
// Wiring
export { wireChannel, wireRPC, addChannelMiddleware } from './wiring/wire'
export type { ChannelConfig, ChannelDefinition, MessageWiring, ActionEntry, UpgradeAuthenticator, UpgradeContext, TopicsOf, PresenceConfig } from './wiring/channel-definition'
export type { PresenceOptions, PresenceSource } from './presence/options'
export { pikkuMiddleware } from './runtime/middleware'
export { pikkuPermission } from './runtime/permission'
export { pikkuChannelMiddleware } from './runtime/channel-middleware'
export { DEFAULT_LIMITS, type Limits, type LimitOptions, type RateLimit } from './limits'
// Types handlers see
export type {
  Register,
  AppServices,
  AppSession,
  AppTopics,
  ChannelHandle,
  ChannelState,
  Services,
  ChannelServices,
  Wire,
  CoreServices,
  RPCInvoker,
  UserSessionService,
  EventHubService,
  PikkuFunction,
  FunctionOptions,
  InputOf,
  OutputOf,
  PikkuMiddleware,
  Interaction,
  PikkuPermission,
  Permissions,
  PikkuChannelMiddleware,
  ChannelEvent,
  ChannelMiddlewareNext,
  PublishResult,
} from './types'
export { createConsoleLogger, type Logger } from './logger'
export { ChannelError, WiringError } from './errors'
export { ERROR_CODES, type ErrorCode, type ErrorPayload, type ErrorIssue } from './protocol/frames'
export { CloseCode, StreamCloseCode } from './protocol/close'
export type { WireProtocol } from './protocol/wire-format'
// EventHub
export type { TopicSpec, TopicMap, ReplayOptions } from './event-hub/topics'
// Binary streams: the live ends and refs (the broker is the Cloudflare shell's)
export { StreamWriter } from './streams/writer'
export { StreamReader } from './streams/reader'
export { StreamError, type StreamErrorCode } from './streams/stream-error'
export { isStreamRef, StreamRefSchema, type StreamRef, type StreamDirection } from './streams/ref'
export { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, type StreamOptions } from './streams/limits'
