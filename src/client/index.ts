// The browser and Node client: no Worker-only or Node-only imports.
export { ChannelClient, createClient, type ClientOptions, type SubscribeOptions, type Subscription, type WebSocketLike } from './channel-client'
export { ChannelClientError, type ClientErrorCode } from './client-error'
export { backoffDelay, type BackoffOptions } from './backoff'
export type { ActionsOf, AnyChannel, ConnectionState, EventMeta, SendOptions, TopicsOfChannel } from './types'
