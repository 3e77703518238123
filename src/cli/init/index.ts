// `init`: what the README makes a user do by hand to add channels to a Worker they
// already have. Every step is idempotent and edits by appending: a second run
// changes nothing, and nothing the user wrote is reformatted.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { CliError } from '../errors'
import { display } from '../paths'
import { loadTypeScript } from '../typescript'
import { findWranglerConfig, readWranglerConfig } from '../wrangler-config'
import { editEntry } from './entry-edit'
import { GREET_FUNCTION, HELLO_CHANNEL } from './starter'
import { configFacts, editJson, editToml } from './wrangler-edit'

/** Where output goes; a parameter so tests can read it. */
export interface InitIo {
  out(line: string): void
}

const stdout: InitIo = { out: (line) => void process.stdout.write(`${line}\n`) }

export async function init({ cwd }: { cwd: string }, io: InitIo = stdout): Promise<void> {
  const config = findWranglerConfig(cwd)
  if (!config) throw new CliError(`no wrangler.toml, wrangler.json or wrangler.jsonc in ${cwd}: run init in your Worker's folder`)
  const raw = await readWranglerConfig(config, cwd)
  if (typeof raw.main !== 'string') throw new CliError(`${display(config, cwd)} has no "main": init needs your Worker's entry to add the channel next to it`)

  const text = await readFile(config, 'utf8')
  const facts = configFacts(raw)
  const edit = config.endsWith('.toml') ? editToml(text, facts) : editJson(text, facts)
  if (edit.kind === 'edited') {
    await writeFile(config, edit.text)
    io.out(`added to ${display(config, cwd)}: ${edit.added.join(' and ')}`)
  } else if (edit.kind === 'manual') {
    io.out(`${display(config, cwd)} declares its Durable Objects or migrations in a form init does not edit; add:\n${indent(edit.lines)}`)
  } else io.out(`${display(config, cwd)}: the ChannelObject binding and migration are already there`)
  if (edit.bindingName !== 'CHANNELS') io.out(`note: ChannelObject is bound as ${edit.bindingName}; call channels({ binding: '${edit.bindingName}' })`)

  const entry = resolve(dirname(config), raw.main)
  const folder = dirname(entry)
  await writeNew(join(folder, 'hello.channel.ts'), HELLO_CHANNEL, cwd, io)
  await writeNew(join(folder, 'functions', 'hello', 'greet.function.ts'), GREET_FUNCTION, cwd, io)

  const ts = await loadTypeScript('init (to read your entry)')
  const entryEdit = editEntry(ts, entry, await readFile(entry, 'utf8'), './hello.channel')
  if (entryEdit.kind === 'edited') {
    await writeFile(entry, entryEdit.text)
    io.out(`edited ${display(entry, cwd)}: ${entryEdit.added.join(', ')}`)
  } else if (entryEdit.kind === 'manual') {
    io.out(`${display(entry, cwd)}: ${entryEdit.why}; add these lines yourself:\n${indent(entryEdit.lines.join('\n'))}`)
  } else io.out(`${display(entry, cwd)}: already imports the channel and mounts channels()`)

  await ignorePikku(join(dirname(config), '.gitignore'), cwd, io)
  io.out(`next: npx wrangler dev, then connect a WebSocket to /hello/<room> and send {"action":"greet","id":1,"data":{"name":"Ada"}}`)
}

async function writeNew(file: string, text: string, cwd: string, io: InitIo): Promise<void> {
  if (existsSync(file)) return io.out(`${display(file, cwd)} is already there: left as it is`)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  io.out(`wrote ${display(file, cwd)}`)
}

/** `.pikku/` holds generated files: git-ignored, regenerated (`pikku-durable-channels gen`). */
async function ignorePikku(file: string, cwd: string, io: InitIo): Promise<void> {
  const text = existsSync(file) ? await readFile(file, 'utf8') : ''
  if (text.split(/\r?\n/).some((line) => /^\/?\.pikku\/?$/.test(line.trim()))) return
  await writeFile(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}.pikku/\n`)
  io.out(`added .pikku/ to ${display(file, cwd)}${relative(cwd, file) === '.gitignore' && !text ? ' (new)' : ''}`)
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
