#!/usr/bin/env node
// pikku-durable-channels: generated metadata for wired channels.
//
// Loads the Worker's wirings by bundling its entry with esbuild (the library
// included, so the `registry` the wirings fill is the one read here), then
// writes a deterministic `.pikku/` folder: git-ignore it and regenerate in CI.

import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync, watch as watchPath } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const BIN = fileURLToPath(import.meta.url)
const PACKAGE_ROOT = resolve(dirname(BIN), '..')
const META_MODULE = join(PACKAGE_ROOT, 'src', 'meta', 'index.ts')
const REGISTRY_MODULE = join(PACKAGE_ROOT, 'src', 'core', 'wiring', 'registry.ts')
const META_FILE = 'channels.meta.json'
const ASYNCAPI_FILE = 'asyncapi.json'

const USAGE = `Usage: pikku-durable-channels <command> [options]

Commands:
  gen                 Write <out>/${META_FILE} and <out>/${ASYNCAPI_FILE} from the wirings
  watch               Like gen, again on every change under the project, until Ctrl-C
  info channels       List the wired channels, their routes and actions

Options:
  --entry <file>      The Worker module that imports the wirings
                      (default: "main" from ./wrangler.toml)
  --out <dir>         Output folder for gen and watch (default: .pikku)
  --verbose           info: add auth, permissions, topics and limits
  -h, --help          Show this help

Exit codes: 0 ok, 1 failure, 2 usage.`

/** A mistake on the command line: exit 2. */
class UsageError extends Error {}
/** A failure with a message worth showing as is: exit 1. */
class CliError extends Error {}

const OPTIONS = {
  entry: { type: 'string' },
  out: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
}

async function main(argv) {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(error.message)
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (command === undefined) throw new UsageError('no command given')
  const cwd = process.cwd()
  switch (command) {
    case 'gen':
      noMore(rest, values, ['verbose'])
      await generate({ cwd, entry: values.entry, out: values.out ?? '.pikku' })
      return 0
    case 'watch':
      noMore(rest, values, ['verbose'])
      return watchProject({ cwd, argv })
    case 'info': {
      const [subject, ...extra] = rest
      if (subject !== 'channels') throw new UsageError(subject === undefined ? 'info needs a subject: info channels' : `unknown info subject "${subject}" (try: info channels)`)
      noMore(extra, values, ['out'])
      await info({ cwd, entry: values.entry, verbose: values.verbose === true })
      return 0
    }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

function noMore(positionals, values, unsupported) {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  for (const option of unsupported) if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to this command`)
}

// ---------------------------------------------------------------- gen

async function generate({ cwd, entry, out }) {
  const project = await loadProject(cwd, entry)
  const { describeChannels, toAsyncAPI, stableStringify, registry } = project.module
  const meta = describeChannels(registry)
  const asyncapi = toAsyncAPI(meta, await appInfo(cwd))
  const outDir = resolve(cwd, out)
  await mkdir(outDir, { recursive: true })
  const actions = meta.channels.reduce((sum, channel) => sum + channel.actions.length, 0)
  const topics = meta.channels.reduce((sum, channel) => sum + channel.topics.length, 0)
  const summary = `${plural(meta.channels.length, 'channel')}, ${plural(actions, 'action')}, ${plural(topics, 'topic')}`
  await writeIfChanged(join(outDir, META_FILE), stableStringify(meta), cwd, summary)
  await writeIfChanged(join(outDir, ASYNCAPI_FILE), stableStringify(asyncapi), cwd, `AsyncAPI ${asyncapi.asyncapi}`)
  if (meta.channels.length === 0) warnEmpty(project, cwd)
}

async function writeIfChanged(file, text, cwd, summary) {
  const before = existsSync(file) ? await readFile(file, 'utf8') : undefined
  if (before !== text) await writeFile(file, text)
  process.stdout.write(`${before === text ? 'unchanged' : 'wrote'} ${display(file, cwd)} (${summary})\n`)
}

/** `info.title`/`info.version` for AsyncAPI, from the project's package.json. */
async function appInfo(cwd) {
  const file = join(cwd, 'package.json')
  if (!existsSync(file)) return {}
  try {
    const pkg = JSON.parse(await readFile(file, 'utf8'))
    return {
      ...(typeof pkg.name === 'string' ? { title: pkg.name } : {}),
      ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
      ...(typeof pkg.description === 'string' ? { description: pkg.description } : {}),
    }
  } catch {
    return {}
  }
}

function warnEmpty(project, cwd) {
  process.stderr.write(
    `warning: no channels are wired after importing ${display(project.entry, cwd)}. ` +
      `Does it import your *.channel.ts files, and the same pikku-durable-channels as this CLI (${display(PACKAGE_ROOT, cwd)})?\n`,
  )
}

// ---------------------------------------------------------------- info

async function info({ cwd, entry, verbose }) {
  const project = await loadProject(cwd, entry)
  const { describeChannels, registry } = project.module
  const meta = describeChannels(registry)
  if (meta.channels.length === 0) {
    process.stdout.write(`No channels are wired in ${display(project.entry, cwd)}.\n`)
    return
  }
  const header = verbose ? ['CHANNEL', 'ROUTE', 'AUTH', 'HANDLERS', 'ACTIONS', 'TOPICS', 'LIMITS'] : ['CHANNEL', 'ROUTE', 'ACTIONS']
  const rows = meta.channels.map((channel) => {
    if (!verbose) return [channel.name, channel.route, channel.actions.map((a) => a.name).join(', ') || '-']
    const handlers = Object.entries(channel.handlers)
      .filter(([, handler]) => handler !== null)
      .map(([name, handler]) => `${name}${handler.output ? ' (output)' : ''}`)
    return [
      channel.name,
      channel.route + (channel.routingKey === 'action' ? '' : `\nrouted on "${channel.routingKey}"`),
      [channel.auth ? 'session' : 'open', channel.authenticate ? 'authenticate' : ''].filter(Boolean).join('\n'),
      handlers.join('\n') || '-',
      channel.actions.map((a) => [a.name, a.auth ? 'session' : 'open', permissionText(a.permissions)].filter(Boolean).join(' ')).join('\n') || '-',
      channel.topics
        .map((t) => [t.topic, t.auth ? 'session' : 'open', permissionText(t.permissions), t.global ? 'global' : '', t.replay ? 'replay' : '', t.schema ? 'schema' : ''].filter(Boolean).join(' '))
        .join('\n') || '-',
      limitsText(channel.limits) + `\nreplay: ${channel.replay === false ? 'off' : `${channel.replay.count} events, ${channel.replay.maxAgeMs / 1000}s`}`,
    ]
  })
  process.stdout.write(table(header, rows))
  if (verbose) process.stdout.write('\nsession: needs a session; open: does not. perm: any one key passes; (n) = n checks that must all pass.\n')
}

function permissionText(permissions) {
  if (!permissions) return ''
  return `perm:${Object.entries(permissions)
    .map(([key, count]) => (count === 1 ? key : `${key}(${count})`))
    .join('|')}`
}

function limitsText(limits) {
  const parts = []
  if (limits.maxMessageSize !== undefined) parts.push(`maxMessageSize: ${limits.maxMessageSize}`)
  if (limits.maxConnections !== undefined) parts.push(`maxConnections: ${limits.maxConnections}`)
  if (limits.rateLimit === false) parts.push('rateLimit: off')
  else if (limits.rateLimit !== undefined) {
    parts.push(`rateLimit: ${Object.entries(limits.rateLimit).map(([key, value]) => `${key}=${value}`).join(' ') || 'defaults'}`)
  }
  return parts.length > 0 ? parts.join('\n') : 'defaults'
}

/** A plain-text table; a cell may hold several lines. */
function table(header, rows) {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell).split('\n')))
  const widths = header.map((_, i) => Math.max(...cells.map((row) => Math.max(...row[i].map((line) => line.length)))))
  const lines = []
  cells.forEach((row, index) => {
    const height = Math.max(...row.map((cell) => cell.length))
    for (let line = 0; line < height; line++) {
      lines.push(row.map((cell, i) => (cell[line] ?? '').padEnd(i === row.length - 1 ? 0 : widths[i])).join('  ').trimEnd())
    }
    if (index === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  })
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------- watch

/** Reruns `gen` in a fresh process on every change, so each run sees a fresh registry. */
function watchProject({ cwd, argv }) {
  const genArgs = ['gen', ...argv.filter((arg) => arg !== 'watch')]
  // Find the entry now, so a wrong --entry fails at once rather than on every change.
  const entry = resolveEntry(cwd, parseArgs({ args: argv, options: OPTIONS, allowPositionals: true }).values.entry)
  const root = projectRoot(entry, cwd)
  const outDir = resolve(cwd, parseArgs({ args: argv, options: OPTIONS, allowPositionals: true }).values.out ?? '.pikku')
  let child
  let again = false
  let announced = false
  let timer

  const run = () => {
    if (child) {
      again = true
      return
    }
    child = spawn(process.execPath, [BIN, ...genArgs], { cwd, stdio: 'inherit' })
    child.on('exit', () => {
      child = undefined
      if (again) {
        again = false
        run()
      } else if (!announced) {
        announced = true
        process.stdout.write(`watching ${display(root, cwd)} for changes (Ctrl-C to stop)\n`)
      }
    })
  }
  const changed = (file) => {
    if (file !== undefined && !WATCHED_FILE.test(file)) return
    clearTimeout(timer)
    timer = setTimeout(run, 150)
  }
  const watcher = watchTree(root, (dir) => !isIgnoredDir(dir, outDir), changed)

  return new Promise((done) => {
    const stop = () => {
      clearTimeout(timer)
      watcher.close()
      if (child) child.kill('SIGTERM')
      done(0)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    run()
  })
}

const WATCHED_FILE = /\.(?:[cm]?[jt]sx?|json|toml|txt|html|sql)$/
const IGNORED_DIRS = new Set(['node_modules', 'dist', 'coverage'])

function isIgnoredDir(dir, outDir) {
  const name = basename(dir)
  return dir === outDir || IGNORED_DIRS.has(name) || (name.startsWith('.') && name.length > 1)
}

/**
 * Watches `root` and the directories under it that `include` accepts, one
 * non-recursive watcher each (a recursive one would walk node_modules too),
 * adding directories as they appear.
 */
function watchTree(root, include, onChange) {
  const watchers = new Map()
  const add = (dir) => {
    if (watchers.has(dir) || !include(dir)) return
    let watcher
    try {
      watcher = watchPath(dir, (_event, name) => {
        if (name === null) return onChange(undefined)
        const full = join(dir, name.toString())
        try {
          if (statSync(full).isDirectory()) {
            add(full)
            return
          }
        } catch {
          // Removed: a file or a directory may have gone; either way, rerun.
          const gone = watchers.get(full)
          if (gone) {
            gone.close()
            watchers.delete(full)
          }
        }
        onChange(full)
      })
    } catch {
      return
    }
    watcher.on('error', () => {
      watcher.close()
      watchers.delete(dir)
    })
    watchers.set(dir, watcher)
    for (const item of safeReaddir(dir)) if (item.isDirectory()) add(join(dir, item.name))
  }
  add(root)
  return { close: () => watchers.forEach((w) => w.close()) }
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

/** The nearest directory above the entry with a package.json, else the entry's directory. */
function projectRoot(entry, cwd) {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return isInside(entry, cwd) ? cwd : dirname(entry)
  }
}

// ---------------------------------------------------------------- loading the wirings

/**
 * Bundles a virtual module that imports the entry and re-exports the
 * metadata functions and the registry, imports it, and removes the bundle.
 */
async function loadProject(cwd, entryOption) {
  const entry = resolveEntry(cwd, entryOption)
  const { build } = await import('esbuild')
  const dir = await mkdtemp(join(tmpdir(), 'pikku-durable-channels-'))
  const outfile = join(dir, 'wirings.mjs')
  try {
    let result
    try {
      result = await build({
        stdin: {
          contents: [
            `import ${JSON.stringify(entry)}`,
            `export { describeChannels, toAsyncAPI, stableStringify } from ${JSON.stringify(META_MODULE)}`,
            `export { registry } from ${JSON.stringify(REGISTRY_MODULE)}`,
          ].join('\n'),
          resolveDir: dirname(entry),
          sourcefile: 'pikku-durable-channels-meta-entry.js',
          loader: 'js',
        },
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'inline',
        metafile: true,
        logLevel: 'silent',
        // Bundled CommonJS may call require() for Node built-ins.
        banner: { js: `import { createRequire as __pikkuCreateRequire } from 'node:module'; const require = __pikkuCreateRequire(${JSON.stringify(entry)});` },
        loader: { '.txt': 'text', '.html': 'text', '.sql': 'text', '.bin': 'binary', '.wasm': 'binary' },
        plugins: [cloudflareShim],
      })
    } catch (error) {
      throw new CliError(`could not bundle ${display(entry, cwd)}:\n${formatBuildErrors(error, cwd)}`)
    }
    const registries = Object.keys(result.metafile.inputs).filter((input) => /(?:^|[\\/])src[\\/]core[\\/]registry\.ts$/.test(input))
    if (registries.length > 1) {
      throw new CliError(
        `${display(entry, cwd)} loads pikku-durable-channels from another copy than this CLI's (${display(PACKAGE_ROOT, cwd)}); ` +
          `run the CLI of the copy your Worker imports (npx pikku-durable-channels).`,
      )
    }
    process.setSourceMapsEnabled?.(true)
    let module
    try {
      module = await import(pathToFileURL(outfile).href)
    } catch (error) {
      throw new CliError(`loading ${display(entry, cwd)} failed: ${describeError(error)}${thrownAt(error, cwd)}`)
    }
    return { entry, module }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** `cloudflare:workers` does not exist in Node: a stand-in just big enough to import a Worker. */
const cloudflareShim = {
  name: 'pikku-cloudflare-workers-shim',
  setup(build) {
    build.onResolve({ filter: /^cloudflare:workers$/ }, (args) => ({ path: args.path, namespace: 'pikku-cloudflare-shim' }))
    build.onLoad({ filter: /.*/, namespace: 'pikku-cloudflare-shim' }, () => ({
      loader: 'js',
      contents: [
        'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
        'export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
        'export class WorkflowEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
        'export class RpcTarget {}',
        'export const env = {}',
      ].join('\n'),
    }))
  },
}

/** The entry module: --entry, else `main` from wrangler.toml (or wrangler.json/.jsonc) in cwd. */
function resolveEntry(cwd, entryOption) {
  let entry
  if (entryOption !== undefined) {
    entry = resolve(cwd, entryOption)
    if (!isFile(entry)) throw new CliError(`entry not found: ${display(entry, cwd)} (from --entry ${entryOption})`)
    return entry
  }
  const config = ['wrangler.toml', 'wrangler.jsonc', 'wrangler.json'].map((name) => join(cwd, name)).find(isFile)
  if (!config) throw new CliError(`no --entry given and no wrangler.toml in ${cwd}; pass --entry <file>`)
  const main = config.endsWith('.toml') ? tomlMain(readFileSync(config, 'utf8')) : jsonMain(readFileSync(config, 'utf8'), config, cwd)
  if (main === undefined) throw new CliError(`${display(config, cwd)} has no "main"; set main = "src/index.ts" there, or pass --entry <file>`)
  entry = resolve(dirname(config), main)
  if (!isFile(entry)) throw new CliError(`entry not found: ${display(entry, cwd)} (main in ${display(config, cwd)})`)
  return entry
}

/** `main` from the top-level table of a wrangler.toml (before any [section]). */
function tomlMain(text) {
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\[/.test(line)) return undefined
    const match = /^\s*main\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(line)
    if (!match) continue
    if (match[2] !== undefined) return match[2]
    try {
      return JSON.parse(`"${match[1]}"`)
    } catch {
      return match[1]
    }
  }
  return undefined
}

function jsonMain(text, file, cwd) {
  try {
    const config = JSON.parse(stripJsonComments(text))
    return typeof config.main === 'string' ? config.main : undefined
  } catch (error) {
    throw new CliError(`${display(file, cwd)} is not valid JSON: ${error.message}`)
  }
}

/** Removes // and /* comments and trailing commas outside strings (JSONC). */
function stripJsonComments(text) {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      out += text.slice(start, i + 1)
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else if (char === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2)
      if (i === -1) break
      i++
    } else out += char
  }
  return out.replace(/,(\s*[}\]])/g, '$1')
}

// ---------------------------------------------------------------- helpers

function formatBuildErrors(error, cwd) {
  const errors = Array.isArray(error?.errors) ? error.errors : []
  if (errors.length === 0) return `  ${describeError(error)}`
  return errors
    .slice(0, 10)
    .map((e) => {
      const where = e.location ? `${display(resolve(cwd, e.location.file), cwd)}:${e.location.line}:${e.location.column + 1}: ` : ''
      const hint = /cloudflare:/.test(e.text) ? ' (only cloudflare:workers is stubbed when loading wirings in Node)' : ''
      return `  ${where}${e.text}${hint}`
    })
    .join('\n')
}

function describeError(error, withStack = false) {
  if (error instanceof Error) return withStack && error.stack ? error.stack : `${error.name}: ${error.message}`
  return String(error)
}

/** ` (at worker/chat.channel.ts:8:28)`: the first stack frame in the user's files, if any. */
function thrownAt(error, cwd) {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : ''
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?$/gm)) {
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1]
    if (file.includes(`${sep}node_modules${sep}`) || isInside(file, PACKAGE_ROOT + sep + 'src') || !isInside(file, cwd)) continue
    return `\n  at ${display(file, cwd)}:${match[2]}:${match[3]}`
  }
  return ''
}

function isFile(path) {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function isInside(file, dir) {
  const rel = relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

function display(file, cwd) {
  return isInside(file, cwd) ? relative(cwd, file) || '.' : file
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

// Last, so every constant above is initialized.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`pikku-durable-channels: ${error.message}\nRun "pikku-durable-channels --help" for usage.\n`)
      process.exit(2)
    }
    process.stderr.write(`pikku-durable-channels: ${error instanceof CliError ? error.message : describeError(error, true)}\n`)
    process.exit(1)
  },
)
