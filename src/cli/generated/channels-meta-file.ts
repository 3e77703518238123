// channel/pikku-channels-meta.gen.ts: the metadata as a typed constant.
import { GENERATED_HEADER } from '../output-files'

/** `metaText` is the JSON written beside it, so both always hold the same. */
export function channelsMetaFile(metaText: string): string {
  return [
    GENERATED_HEADER,
    '//',
    '// Everything wired, as in pikku-channels-meta.gen.json (the import is for types only).',
    "import type { ChannelsMeta } from 'pikku-durable-channels/meta'",
    '',
    `export const channelsMeta: ChannelsMeta = ${metaText.trimEnd()}`,
    '',
  ].join('\n')
}
