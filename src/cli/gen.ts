// `gen`: the metadata, the AsyncAPI document and seed 002's generated files, written only when they change.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bootstrapFile } from './generated/bootstrap-file'
import { channelsMapFile } from './generated/channels-map-file'
import { channelsMetaFile } from './generated/channels-meta-file'
import { typesFile } from './generated/types-file'
import { websocketFile } from './generated/websocket-file'
import { PACKAGE_ROOT } from './library'
import { loadApp, type Project } from './load-project'
import type { ServerAddress } from './mount'
import {
  ASYNCAPI_FILE,
  BOOTSTRAP_FILE,
  CHANNELS_MAP_FILE,
  CHANNELS_META_JSON,
  CHANNELS_META_TS,
  META_FILE,
  TYPES_FILE,
  WEBSOCKET_FILE,
} from './output-files'
import { display } from './paths'
import type { ProjectSources } from './project-sources'
import { writeIfChanged } from './write-file'

export interface GenOptions {
  cwd: string
  entry: string | undefined
  /** Undefined: where the project's `#pikku/*` alias points, else `.pikku` (see `outputDir`). */
  out: string | undefined
  /** Where the document says clients connect: the mount path (`--base`) and a server (`--server-url`). */
  document: DocumentPlace
}

/** `--base` and `--server-url`, parsed (see `mount.ts`). */
export interface DocumentPlace {
  base: string | undefined
  server: ServerAddress | undefined
}

export async function gen({ cwd, entry, out, document }: GenOptions): Promise<void> {
  const { project, sources } = await loadApp(cwd, entry, out)
  await writeGenerated(project, sources, cwd, document)
}

/** Every file from a loaded project, one summary line each; `watch` calls it after every rebuild. */
export async function writeGenerated(project: Project, sources: ProjectSources, cwd: string, document: DocumentPlace): Promise<void> {
  const { describeChannels, toAsyncAPI, stableStringify, registry } = project.exports
  const meta = describeChannels(registry)
  const metaText = stableStringify(meta)
  const asyncapi = toAsyncAPI(meta, {
    ...(await appInfo(cwd)),
    ...(document.base ? { base: document.base } : {}),
    ...(document.server ? { servers: { default: { ...document.server, description: 'Given to gen with --server-url' } } } : {}),
  })
  const actions = meta.channels.reduce((sum, channel) => sum + channel.actions.length, 0)
  const topics = meta.channels.reduce((sum, channel) => sum + channel.topics.length, 0)
  const summary = `${plural(meta.channels.length, 'channel')}, ${plural(actions, 'action')}, ${plural(topics, 'topic')}`
  const { appTypes, outDir } = sources
  const typed = [appTypes.services && 'services', appTypes.session && 'session', topics > 0 && 'topics'].filter(Boolean).join(', ') || 'no app types found'
  const files: [name: string, text: string, summary: string][] = [
    [META_FILE, metaText, summary],
    [ASYNCAPI_FILE, stableStringify(asyncapi), `AsyncAPI ${asyncapi.asyncapi}`],
    [CHANNELS_META_JSON, metaText, summary],
    [CHANNELS_META_TS, channelsMetaFile(metaText), 'typed const channelsMeta'],
    [CHANNELS_MAP_FILE, channelsMapFile(meta), `ChannelsMap of ${plural(meta.channels.length, 'channel')}`],
    [TYPES_FILE, typesFile(sources, meta), `Register: ${typed}`],
    [BOOTSTRAP_FILE, bootstrapFile(sources), bootstrapSummary(sources)],
    [WEBSOCKET_FILE, websocketFile(outDir), 'PikkuWebSocket<ChannelsMap>'],
  ]
  for (const [name, text, what] of files) {
    const file = join(outDir, name)
    const wrote = await writeIfChanged(file, text)
    process.stdout.write(`${wrote ? 'wrote' : 'unchanged'} ${display(file, cwd)} (${what})\n`)
  }
  for (const warning of appTypes.warnings) process.stderr.write(`warning: ${warning}\n`)
  if (meta.channels.length === 0) warnEmpty(project.entry, cwd)
}

/** The file AsyncAPI's `info` comes from; `watch` watches it too. */
export function appInfoFile(cwd: string): string {
  return join(cwd, 'package.json')
}

/** `info.title`/`info.version`/`info.description` for AsyncAPI, from the project's package.json. */
async function appInfo(cwd: string): Promise<{ title?: string; version?: string; description?: string }> {
  const file = appInfoFile(cwd)
  if (!existsSync(file)) return {}
  try {
    const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    return {
      ...(typeof pkg.name === 'string' ? { title: pkg.name } : {}),
      ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
      ...(typeof pkg.description === 'string' ? { description: pkg.description } : {}),
    }
  } catch {
    return {}
  }
}

function bootstrapSummary(sources: ProjectSources): string {
  const services = sources.appTypes.services ? 'services and ' : ''
  return `${services}${plural(sources.channelFiles.length, 'channel file')}`
}

/** Nothing wired usually means the entry misses an import, or imports another copy of the library. */
function warnEmpty(entry: string, cwd: string): void {
  process.stderr.write(
    `warning: no channels are wired after importing ${display(entry, cwd)}. ` +
      `Does it import your *.channel.ts files (or ${BOOTSTRAP_FILE}), and the same pikku-durable-channels as this CLI (${display(PACKAGE_ROOT, cwd)})?\n`,
  )
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
