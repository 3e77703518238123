import type { ChannelsMeta } from '../describe'
import type { JsonValue } from '../json-schema'
import { addChannel, type DocumentParts } from './channel'
import { SchemaComponents } from './components'
import { protocolEnvelopes } from './envelopes'
import { IdMap } from './ids'

export { toAddress } from './channel-entry'

/** What `toAsyncAPI` cannot learn from the wirings. */
export interface AsyncAPIOptions {
  /** `info.title`; default `'Channels'`. */
  title?: string
  /** `info.version`, the version of your app; default `'0.0.0'`. */
  version?: string
  /** Prepended to the generated `info.description`. */
  description?: string
  /**
   * The path `channels()` is mounted at, when it is (`app.route('/ws', channels())`
   * is `'/ws'`): put in front of every channel's address, so that an address is
   * the URL's path. Starts with `/`, no trailing `/`.
   */
  base?: string
  /** The document's `servers`: where clients connect, e.g. `{ production: { host: 'chat.example.com', protocol: 'wss' } }`. */
  servers?: { [name: string]: AsyncAPIServer }
}

/** An AsyncAPI 3 server for channels: host (with port) and WebSocket scheme. */
export interface AsyncAPIServer {
  host: string
  protocol: 'ws' | 'wss'
  description?: string
}

/** What a mount path may be: segments without route syntax (`:`, `{}`), queries or fragments. */
const BASE = /^(\/[A-Za-z0-9._~%!$&'()*+,;=@-]+)+$/

/** An AsyncAPI 3.0.0 document, as plain JSON. */
export type AsyncAPIDocument = { asyncapi: '3.0.0' } & { [key: string]: JsonValue }

/**
 * Protocol v1 for the described channels, as an AsyncAPI 3.0.0 document,
 * written from the client's side: `send` operations are frames a client
 * sends, `receive` operations frames it is sent. Each channel gets its own
 * AsyncAPI channel (`/chat/{room}`), messages for each action's request,
 * reply and error frames, `welcome`, `message`, `event` frames per topic,
 * the built-in `$` actions, and binary frames; schemas live in
 * `components.schemas` and are referenced with `$ref: '#/components/...'`.
 *
 * The frames' envelopes are the protocol's own schemas (see `envelopes.ts`);
 * the metadata adds only what is per channel: names, routing keys, and the
 * schemas of inputs, results and events.
 */
export function toAsyncAPI(meta: ChannelsMeta, options: AsyncAPIOptions = {}): AsyncAPIDocument {
  const base = options.base ?? ''
  if (base !== '' && !BASE.test(base)) throw new TypeError(`toAsyncAPI: base must be a path like "/ws" (no trailing "/", ":", "{", "?" or "#"), got "${base}"`)
  const schemas = new SchemaComponents()
  const doc: DocumentParts = {
    schemas,
    // First: the shared schemas keep their plain names (RequestId, ErrorPayload).
    envelopes: protocolEnvelopes(schemas),
    messages: new IdMap(),
    operations: new IdMap(),
    channels: new IdMap(),
    builtInActions: meta.builtInActions,
    base,
  }
  for (const channel of meta.channels) addChannel(doc, channel)

  const intro = options.description ? `${options.description}\n\n` : ''
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Channels',
      version: options.version ?? '0.0.0',
      description: `${intro}Wire protocol v1 of pikku-durable-channels (see PROTOCOL.md), from the client's side: \`send\` operations are frames the client sends, \`receive\` operations frames it is sent. Every text frame is one JSON object.`,
    },
    ...(options.servers && Object.keys(options.servers).length > 0 ? { servers: serversOf(options.servers) } : {}),
    defaultContentType: 'application/json',
    channels: doc.channels.toObject(),
    operations: doc.operations.toObject(),
    components: { schemas: schemas.toObject(), messages: doc.messages.toObject() },
  }
}

/** The servers as AsyncAPI has them, keys sorted (the document is deterministic). */
function serversOf(servers: { [name: string]: AsyncAPIServer }): { [name: string]: JsonValue } {
  return Object.fromEntries(
    Object.keys(servers)
      .sort()
      .map((name) => {
        const { host, protocol, description } = servers[name]!
        return [name, { host, protocol, ...(description === undefined ? {} : { description }) }]
      }),
  )
}
