// Which module to load: --entry, else `main` from the wrangler config in cwd.
import { dirname, resolve } from 'node:path'
import { CliError } from './errors'
import { display, isFile } from './paths'
import { findWranglerConfig, readWranglerMain, type LoadWrangler } from './wrangler-config'

/**
 * The entry's absolute path. Checked to exist here so a wrong path is told
 * as such, not as a bundling failure.
 */
export async function resolveEntry(cwd: string, entryOption: string | undefined, loadWrangler?: LoadWrangler): Promise<string> {
  if (entryOption !== undefined) {
    const entry = resolve(cwd, entryOption)
    if (!isFile(entry)) throw new CliError(`entry not found: ${display(entry, cwd)} (from --entry ${entryOption})`)
    return entry
  }
  const config = findWranglerConfig(cwd)
  if (config === undefined) throw new CliError(`no --entry given and no wrangler.toml in ${cwd}; pass --entry <file>`)
  const main = await readWranglerMain(config, cwd, loadWrangler)
  if (main === undefined) throw new CliError(`${display(config, cwd)} has no "main"; set main = "src/index.ts" there, or pass --entry <file>`)
  const entry = resolve(dirname(config), main)
  if (!isFile(entry)) throw new CliError(`entry not found: ${display(entry, cwd)} (main in ${display(config, cwd)})`)
  return entry
}
