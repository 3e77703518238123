#!/usr/bin/env node
// pikku-durable-channels: generated metadata for wired channels.
//
// Loads the Worker's wirings by bundling its entry with esbuild (the library
// included, so the `registry` the wirings fill is the one read here), then
// writes a deterministic `.pikku/` folder: git-ignore it and regenerate in CI.
// `check` reviews wiring and function files against Pikku's file rules.
// This module is the process entry; the commands live one per file beside it.
import { parseCommand, USAGE } from './args'
import { check } from './check/index'
import { failure } from './errors'
import { gen } from './gen'
import { info } from './info'
import { init } from './init/index'
import { watch } from './watch'

/** The exit code: 0 ok; failures throw (see `failure` for 1 and 2). */
async function run(argv: string[]): Promise<number> {
  const command = parseCommand(argv)
  const cwd = process.cwd()
  switch (command.name) {
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return 0
    case 'gen':
      await gen({ cwd, entry: command.entry, out: command.out, document: { base: command.base, server: command.server } })
      return 0
    case 'watch':
      return watch({ cwd, entry: command.entry, out: command.out, document: { base: command.base, server: command.server } })
    case 'info':
      await info({ cwd, entry: command.entry, verbose: command.verbose, base: command.base })
      return 0
    case 'check':
      return check({ cwd, entry: command.entry, dir: command.dir })
    case 'init':
      await init({ cwd })
      return 0
  }
}

// process.exit, not a drained event loop: a loaded Worker or wrangler may leave timers or handles behind.
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const { code, text } = failure(error)
    process.stderr.write(text)
    process.exit(code)
  },
)
