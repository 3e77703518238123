// The browser and Node client: no Worker-only or Node-only imports.
export { ChannelClient, createClient } from './channel-client'
export type { ClientOptions, WebSocketLike } from './options'
export type { SubscribeOptions, Subscription } from './subscriptions'
export { ChannelClientError, type ClientErrorCode } from './client-error'
export { backoffDelay, type BackoffOptions } from './backoff'
export type { ActionsOf, AnyChannel, ConnectionState, EventMeta, SendOptions, TopicsOf } from './types'
