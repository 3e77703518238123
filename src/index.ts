// Function kinds
export {
  pikkuFunc,
  pikkuSessionlessFunc,
  pikkuFuncSessionless,
  pikkuChannelConnectionFunc,
  pikkuChannelDisconnectionFunc,
  pikkuChannelFunc,
  type PikkuFunction,
  type FunctionOptions,
  type InputOf,
  type OutputOf,
} from './core/function'
// Wiring
export { wireChannel, type ChannelConfig, type ChannelDefinition, type MessageWiring, type ActionEntry, type UpgradeAuthenticator, type UpgradeContext, type TopicsOf } from './core/wire-channel'
export { wireRPC } from './core/rpc'
export { pikkuMiddleware, type PikkuMiddleware, type Interaction } from './core/middleware'
export { pikkuPermission, type PikkuPermission, type Permissions } from './core/permission'
export { pikkuChannelMiddleware, addChannelMiddleware, type PikkuChannelMiddleware, type ChannelEvent, type ChannelMiddlewareNext } from './core/channel-middleware'
export { DEFAULT_LIMITS, type Limits, type LimitOptions, type RateLimit } from './core/limits'
// Types handlers see
export type { Register, AppServices, AppSession, AppTopics, ChannelHandle, ChannelState, Services, ChannelServices, Wire, CoreServices, RPCInvoker, UserSessionService, EventHubService } from './core/types'
export type { Logger } from './core/logger'
export { ChannelError, ERROR_CODES, WiringError, type ErrorCode, type ErrorPayload, type ErrorIssue } from './core/errors'
export { CloseCode } from './core/protocol'
// Cloudflare
export { ChannelObject } from './cloudflare/channel-object'
export { channels, type ChannelsOptions } from './cloudflare/router'
export { pikkuServices, type ServicesContext } from './cloudflare/services'
export { publisher, type ChannelPublisher } from './cloudflare/publisher'
export type { PublishRouteOptions } from './cloudflare/publish-route'
export type { InstanceAddress } from './cloudflare/channel-object'
// EventHub
export type { TopicSpec, TopicMap, ReplayOptions } from './core/topics'
export type { PublishResult } from './core/event-hub'
