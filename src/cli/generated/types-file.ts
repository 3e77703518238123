// pikku-types.gen.ts: the adapter's API for this app, and the Register declaration that types it.
import { join, relative } from 'node:path'
import type { ChannelsMeta } from '../../meta/index'
import { CHANNELS_MAP_FILE, GENERATED_HEADER } from '../output-files'
import { posix } from '../project-files'
import type { ProjectSources } from '../project-sources'
import { importPath, quote } from './import-path'

/** What seed 000 and 001 import from the generated types; the rest of the root API comes with `export *`. */
const TYPED_API = [
  'wireChannel',
  'addChannelMiddleware',
  'pikkuFunc',
  'pikkuSessionlessFunc',
  'pikkuFuncSessionless',
  'pikkuChannelConnectionFunc',
  'pikkuChannelDisconnectionFunc',
  'pikkuChannelFunc',
  'pikkuMiddleware',
  'pikkuChannelMiddleware',
  'pikkuPermission',
]

/**
 * The library's handlers read their types from its `Register` interface. This
 * file declares it from what the app already wrote, so no type is written
 * twice: `services` is what the exported `pikkuServices(...)` result returns,
 * `session` the exported `UserSession` type, `topics` every channel's topics
 * with their payload types from the channel map. Keys the app declares itself
 * are left to it. Any file that imports from here brings the declaration into
 * the program. `meta` is undefined while the project loads (types only
 * differ then, never what the file exports).
 */
export function typesFile(sources: ProjectSources, meta: ChannelsMeta | undefined): string {
  const { outDir, appTypes } = sources
  const declared = new Set(appTypes.declared)
  const imports: string[] = []
  const register: string[] = []
  const { services, session } = appTypes
  if (services && !declared.has('services')) {
    const path = quote(importPath(outDir, services.file))
    imports.push(services.exportName === 'default' ? `import type ServicesFactory from ${path}` : `import type { ${services.exportName} as ServicesFactory } from ${path}`)
    register.push(`    /** What ${services.exportName === 'default' ? 'the default export' : services.exportName} of ${shown(sources, services.file)} returns. */`, '    services: Awaited<ReturnType<typeof ServicesFactory>>')
  }
  if (session && !declared.has('session')) {
    imports.push(`import type { ${session.typeName} } from ${quote(importPath(outDir, session.file))}`)
    register.push(`    /** ${session.typeName} from ${shown(sources, session.file)}. */`, `    session: ${session.typeName}`)
  }
  const withTopics = (meta?.channels ?? []).filter((channel) => channel.topics.length > 0)
  if (withTopics.length > 0 && !declared.has('topics')) {
    const maps = withTopics.map((channel) => `TopicsByName<ChannelsMap[${quote(channel.name)}]['topics']>`)
    register.push('    /** The topics the channels declare, payloads typed from their schemas. */', `    topics: ${maps.join(' & ')}`)
  }
  const lines = [
    GENERATED_HEADER,
    '//',
    "// The adapter's API for this app. Import it from here (#pikku/pikku-types.gen.js): the Register",
    '// declaration below comes with it and types every handler\'s services, session and topics.',
    ...imports,
    `import type { ChannelsMap } from ${quote(importPath(outDir, join(outDir, CHANNELS_MAP_FILE)))}`,
    '',
    `export {\n${TYPED_API.map((name) => `  ${name},`).join('\n')}\n} from 'pikku-durable-channels'`,
    '// The rest of the root API (channels, ChannelObject, pikkuServices, ChannelError, publisher, types).',
    "export * from 'pikku-durable-channels'",
    'export type { ChannelsMap }',
  ]
  // Only when used: a project with noUnusedLocals would reject them otherwise.
  if (register.some((line) => line.includes('TopicsByName<'))) lines.push('', ...TOPIC_HELPERS)
  if (register.length > 0) lines.push('', "declare module 'pikku-durable-channels' {", '  interface Register {', ...register, '  }', '}')
  lines.push('')
  return lines.join('\n')
}

const TOPIC_HELPERS = [
  "/** `'news:*'` -> `` `news:${string}` ``: the topic names a declared pattern covers. */",
  "type TopicName<Key extends string> = Key extends `${infer Prefix}:*` ? `${Prefix}:${string}` : Key extends '*' ? string : Key",
  'type TopicsByName<Topics> = { [Key in keyof Topics & string as TopicName<Key>]: Topics[Key] }',
]

function shown(sources: ProjectSources, file: string): string {
  return posix(relative(sources.root, file))
}
