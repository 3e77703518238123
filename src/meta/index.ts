// Metadata about wired channels, for tools: `pikku-durable-channels gen` writes it to `.pikku/`.
export {
  describeChannels,
  describeChannel,
  type ChannelsMeta,
  type ChannelMeta,
  type HandlerMeta,
  type ActionMeta,
  type TopicMeta,
  type PermissionsMeta,
  type BuiltInActionMeta,
  type ChannelSource,
} from './describe'
export { toAsyncAPI, toAddress, type AsyncAPIOptions, type AsyncAPIDocument, type AsyncAPIServer } from './asyncapi'
export { toJson, type JsonSchema, type JsonValue, type SchemaSide } from './json-schema'
export { stableStringify } from './stable-stringify'
