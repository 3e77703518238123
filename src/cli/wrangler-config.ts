// `main` from the project's wrangler config, read by wrangler itself.
import { join } from 'node:path'
import { CliError, describeError } from './errors'
import { display, isFile } from './paths'

/** The config files wrangler looks for, in the order it prefers them, so this CLI reads the file wrangler would. */
export const WRANGLER_CONFIG_NAMES = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'] as const

/** The project's wrangler config in `cwd` (not above it: the CLI's paths are relative to where it runs). */
export function findWranglerConfig(cwd: string): string | undefined {
  return WRANGLER_CONFIG_NAMES.map((name) => join(cwd, name)).find(isFile)
}

/**
 * The one wrangler function used. It only parses (TOML, JSON or JSONC) and
 * neither validates nor logs, so an unrelated config mistake does not stop
 * `gen`. Typed here because wrangler's declaration re-exports it from a
 * package it does not ship.
 */
interface RawConfigReader {
  experimental_readRawConfig(args: { config: string }): { rawConfig: Record<string, unknown> }
}

/** Loads wrangler's module; a parameter so tests can stand in for a missing wrangler. */
export type LoadWrangler = () => Promise<unknown>

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * Wrangler is heavy (over a second to import) and a peer of the user's
 * project: loaded only when needed. Importing it adds SIGINT and SIGTERM
 * handlers that exit at once (they stop its `pages dev` proxy); they would
 * cut `watch`'s clean stop short, so the ones the import adds are removed.
 */
const loadWrangler: LoadWrangler = async () => {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]))
  try {
    return await import('wrangler')
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) if (!before.get(signal)?.includes(listener)) process.off(signal, listener)
    }
  }
}

/** The top-level `main` of `file` as written (relative to the file), or undefined when it has none. */
export async function readWranglerMain(file: string, cwd: string, load = loadWrangler): Promise<string | undefined> {
  const rawConfig = await readWranglerConfig(file, cwd, load)
  return typeof rawConfig.main === 'string' ? rawConfig.main : undefined
}

/** The whole config as written (TOML, JSON or JSONC), parsed by wrangler, not validated. */
export async function readWranglerConfig(file: string, cwd: string, load = loadWrangler): Promise<Record<string, unknown>> {
  const reader = await configReader(file, cwd, load)
  try {
    return reader.experimental_readRawConfig({ config: file }).rawConfig
  } catch (error) {
    throw new CliError(`${display(file, cwd)} could not be read: ${parseProblem(error)}`)
  }
}

async function configReader(file: string, cwd: string, load: LoadWrangler): Promise<RawConfigReader> {
  let wrangler: unknown
  try {
    wrangler = await load()
  } catch (error) {
    throw new CliError(
      `reading ${display(file, cwd)} needs the wrangler package, which could not be loaded (${describeError(error)}); ` +
        'install it in your project (npm install --save-dev wrangler), or pass --entry <file>',
    )
  }
  const reader = wrangler as Partial<RawConfigReader> | null
  if (typeof reader?.experimental_readRawConfig !== 'function') {
    throw new CliError(`the installed wrangler has no experimental_readRawConfig to read ${display(file, cwd)}; use wrangler 4, or pass --entry <file>`)
  }
  return reader as RawConfigReader
}

/** Wrangler's parse errors carry `text` and a `location` (1-based line, 0-based column). */
function parseProblem(error: unknown): string {
  const { text, location } = (error ?? {}) as { text?: unknown; location?: { line?: unknown; column?: unknown } }
  if (typeof text !== 'string') return describeError(error)
  const where = typeof location?.line === 'number' && typeof location.column === 'number' ? `line ${location.line}, column ${location.column + 1}: ` : ''
  return `${where}${text}`
}
