// The fixed root API: wiring, function kinds, the types handlers see, and the Cloudflare shell.

// Function kinds
export { pikkuFunc, pikkuSessionlessFunc, pikkuFuncSessionless, pikkuChannelConnectionFunc, pikkuChannelDisconnectionFunc, pikkuChannelFunc } from './core/wiring/function'
// Wiring
export { wireChannel, wireRPC, addChannelMiddleware } from './core/wiring/wire'
export type { ChannelConfig, ChannelDefinition, MessageWiring, ActionEntry, UpgradeAuthenticator, UpgradeContext, TopicsOf } from './core/wiring/channel-definition'
export { pikkuMiddleware } from './core/runtime/middleware'
export { pikkuPermission } from './core/runtime/permission'
export { pikkuChannelMiddleware } from './core/runtime/channel-middleware'
export { DEFAULT_LIMITS, type Limits, type LimitOptions, type RateLimit } from './core/limits'
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
} from './core/types'
export { createConsoleLogger, type Logger } from './core/logger'
export { ChannelError, WiringError } from './core/errors'
export { ERROR_CODES, type ErrorCode, type ErrorPayload, type ErrorIssue } from './core/protocol/frames'
export { CloseCode, StreamCloseCode } from './core/protocol/close'
export type { WireProtocol } from './core/protocol/wire-format'
// Cloudflare
export { ChannelObject } from './cloudflare/channel-object'
export { channels, type ChannelsOptions } from './cloudflare/router'
export { pikkuServices, type ServicesContext } from './cloudflare/services'
export { publisher, PublishError, type ChannelPublisher, type PublisherOptions, type PublishErrorCode } from './cloudflare/publisher'
export type { PublishRouteOptions } from './cloudflare/publish-route'
export type { InstanceAddress } from './cloudflare/addressing'
// Binary streams
export { createStreamChannel, openStreamWriter, openStreamReader, type StreamChannel, type StreamChannelOptions } from './cloudflare/streams/create'
export type { StreamStatus } from './cloudflare/streams/broker'
export { StreamWriter } from './core/streams/writer'
export { StreamReader } from './core/streams/reader'
export { StreamError, type StreamErrorCode } from './core/streams/stream-error'
export { isStreamRef, StreamRefSchema, type StreamRef, type StreamDirection } from './core/streams/ref'
export { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, type StreamOptions } from './core/streams/limits'
// EventHub
export type { TopicSpec, TopicMap, ReplayOptions } from './core/event-hub/topics'
export type { PublishResult } from './core/types'
