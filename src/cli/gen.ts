// `gen`: the metadata and the AsyncAPI document, written only when they change.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { resolveEntry } from './entry'
import { PACKAGE_ROOT } from './library'
import { loadProject, type Project } from './load-project'
import { ASYNCAPI_FILE, META_FILE } from './output-files'
import { display } from './paths'

export interface GenOptions {
  cwd: string
  entry: string | undefined
  out: string
}

export async function gen({ cwd, entry, out }: GenOptions): Promise<void> {
  const project = await loadProject(cwd, await resolveEntry(cwd, entry))
  await writeMetadata(project, cwd, out)
}

/** Both files from a loaded project, one summary line each; `watch` calls it after every rebuild. */
export async function writeMetadata(project: Project, cwd: string, out: string): Promise<void> {
  const { describeChannels, toAsyncAPI, stableStringify, registry } = project.exports
  const meta = describeChannels(registry)
  const asyncapi = toAsyncAPI(meta, await appInfo(cwd))
  const outDir = resolve(cwd, out)
  await mkdir(outDir, { recursive: true })
  const actions = meta.channels.reduce((sum, channel) => sum + channel.actions.length, 0)
  const topics = meta.channels.reduce((sum, channel) => sum + channel.topics.length, 0)
  const summary = `${plural(meta.channels.length, 'channel')}, ${plural(actions, 'action')}, ${plural(topics, 'topic')}`
  await writeIfChanged(join(outDir, META_FILE), stableStringify(meta), cwd, summary)
  await writeIfChanged(join(outDir, ASYNCAPI_FILE), stableStringify(asyncapi), cwd, `AsyncAPI ${asyncapi.asyncapi}`)
  if (meta.channels.length === 0) warnEmpty(project.entry, cwd)
}

/** The file AsyncAPI's `info` comes from; `watch` watches it too. */
export function appInfoFile(cwd: string): string {
  return join(cwd, 'package.json')
}

/** An unchanged file keeps its mtime, so tools that watch `.pikku/` do not rerun for nothing. */
async function writeIfChanged(file: string, text: string, cwd: string, summary: string): Promise<void> {
  const before = existsSync(file) ? await readFile(file, 'utf8') : undefined
  if (before !== text) await writeFile(file, text)
  process.stdout.write(`${before === text ? 'unchanged' : 'wrote'} ${display(file, cwd)} (${summary})\n`)
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

/** Nothing wired usually means the entry misses an import, or imports another copy of the library. */
function warnEmpty(entry: string, cwd: string): void {
  process.stderr.write(
    `warning: no channels are wired after importing ${display(entry, cwd)}. ` +
      `Does it import your *.channel.ts files, and the same pikku-durable-channels as this CLI (${display(PACKAGE_ROOT, cwd)})?\n`,
  )
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
