// pikku-websocket.gen.ts: the client bound to this app's channels.
import { CHANNELS_MAP_FILE, GENERATED_HEADER, WEBSOCKET_FILE } from '../output-files'
import { importPath, quote } from './import-path'
import { dirname, join } from 'node:path'

/**
 * `PikkuWebSocket<Channels>` from `pikku-durable-channels/client`, with
 * `Channels` fixed to the generated `ChannelsMap`: `new PikkuWebSocket(...)`
 * knows every channel's actions, inputs, replies and topics.
 */
export function websocketFile(outDir: string): string {
  const from = dirname(join(outDir, WEBSOCKET_FILE))
  return [
    GENERATED_HEADER,
    '//',
    "// The typed client: PikkuWebSocket from pikku-durable-channels/client, bound to this app's ChannelsMap.",
    "import { PikkuWebSocket as Base } from 'pikku-durable-channels/client'",
    `import type { ChannelsMap } from ${quote(importPath(from, join(outDir, CHANNELS_MAP_FILE)))}`,
    '',
    'export type { ChannelsMap }',
    '',
    "/** Actions, inputs, replies and topics come from ChannelsMap (channel/pikku-channels-map.gen.d.ts). */",
    'export class PikkuWebSocket extends Base<ChannelsMap> {}',
    '',
  ].join('\n')
}
