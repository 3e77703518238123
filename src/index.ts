// The fixed root API: the pure core (also `pikku-durable-channels/core`) and the Cloudflare shell.
export * from './core/index'
// Cloudflare
export { ChannelObject } from './cloudflare/channel-object'
export { channels, type ChannelsOptions } from './cloudflare/router'
export { pikkuServices, type ServicesContext } from './cloudflare/services'
export { publisher, PublishError, type ChannelPublisher, type PublisherOptions, type PublishErrorCode } from './cloudflare/publisher'
export type { PublishRouteOptions } from './cloudflare/publish-route'
export type { InstanceAddress } from './cloudflare/addressing'
export { MAX_DELIVERY_FAILURES } from './cloudflare/global-topics/coordinator'
// Binary streams: the broker's side
export { createStreamChannel, openStreamWriter, openStreamReader, type StreamChannel, type StreamChannelOptions } from './cloudflare/streams/create'
export type { StreamStatus } from './cloudflare/streams/broker'
