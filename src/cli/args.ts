// The command line, parsed once into one typed command.
import { parseArgs } from 'node:util'
import { UsageError } from './errors'
import { parseBase, parseServerUrl, type ServerAddress } from './mount'
import { DEFAULT_OUT } from './out-dir'
import { OUTPUT_FILES } from './output-files'

export const USAGE = `Usage: pikku-durable-channels <command> [options]

Commands:
  gen                 Write the generated files (below) from the wirings
  watch               Like gen, again whenever a project file changes, until Ctrl-C
  info [channels]     List the wired channels, their routes and actions
  check [dir]         Report wiring and function files that break Pikku's file rules
                      (default dir: the entry's folder)
  init                Add channels to the Worker here: the ChannelObject binding and
                      migration in its wrangler config, a starter hello channel, the
                      export and mount in its entry, .pikku/ in .gitignore

Options:
  --entry <file>      The Worker module that imports the wirings
                      (default: "main" from ./wrangler.toml)
  --out <dir>         Output folder for gen and watch (default: where "#pikku/*"
                      points in the entry's package.json "imports", else ${DEFAULT_OUT})
  --base <path>       gen, watch, info: the path channels() is mounted at
                      (app.route('/ws', channels()) -> --base /ws), put in front
                      of every channel address and route
  --server-url <url>  gen, watch: add ws://host:port (or wss://host) as the
                      AsyncAPI document's server
  --verbose           info: add auth, permissions, topics and limits
  -h, --help          Show this help

gen writes into the output folder:
${OUTPUT_FILES.map((file) => `  ${file}`).join('\n')}

Exit codes: 0 ok, 1 failure (check: problems found), 2 usage.`

/**
 * What to do; `entry` undefined means "main from the wrangler config", `out`
 * undefined the alias's folder, `base` undefined no mount path, `server`
 * undefined no AsyncAPI server.
 */
export type Command =
  | { name: 'help' }
  | { name: 'gen' | 'watch'; entry: string | undefined; out: string | undefined; base: string | undefined; server: ServerAddress | undefined }
  | { name: 'info'; entry: string | undefined; verbose: boolean; base: string | undefined }
  | { name: 'check'; entry: string | undefined; dir: string | undefined }
  | { name: 'init' }

const OPTIONS = {
  entry: { type: 'string' },
  out: { type: 'string' },
  base: { type: 'string' },
  'server-url': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

type Values = ReturnType<typeof parse>['values']

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
}

/** Throws a UsageError for anything the usage text does not allow. */
export function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help === true || command === 'help') return { name: 'help' }
  switch (command) {
    case undefined:
      throw new UsageError('no command given')
    case 'gen':
    case 'watch':
      noMore(rest, values, ['verbose'])
      return { name: command, entry: values.entry, out: values.out, base: parseBase(values.base), server: parseServerUrl(values['server-url']) }
    case 'info': {
      // One subject so far, so it is the default: `info` is `info channels`.
      const [subject = 'channels', ...extra] = rest
      if (subject !== 'channels') throw new UsageError(`unknown info subject "${subject}" (try: info channels)`)
      noMore(extra, values, ['out', 'server-url'])
      return { name: 'info', entry: values.entry, verbose: values.verbose === true, base: parseBase(values.base) }
    }
    case 'check': {
      const [dir, ...extra] = rest
      noMore(extra, values, ['out', 'verbose', 'base', 'server-url'])
      return { name: 'check', entry: values.entry, dir }
    }
    case 'init':
      noMore(rest, values, ['entry', 'out', 'verbose'])
      return { name: 'init' }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

/** Options parse for every command, so each command rejects the ones it would silently ignore. */
function noMore(positionals: string[], values: Values, unsupported: (keyof Values)[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  for (const option of unsupported) if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to this command`)
}
