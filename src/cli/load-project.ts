// Loading the user's wirings in Node: bundle the entry, import the bundle, read the registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BuildResult } from 'esbuild'
import { bundleOptions, type BundleOptions } from './bundle'
import { resolveEntry } from './entry'
import { loadEsbuild } from './esbuild'
import { CliError } from './errors'
import { generatedModules } from './generated-modules'
import { isRegistryModule, PACKAGE_ROOT, type LibraryExports } from './library'
import { bundleFailure, importFailure } from './load-errors'
import { outputDir } from './out-dir'
import { display } from './paths'
import { scanProject, type ProjectSources } from './project-sources'

export interface Project {
  entry: string
  exports: LibraryExports
}

export type Bundle = BuildResult<BundleOptions>

/** A fresh temp folder for bundles; the caller removes it. */
export function bundleDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pikku-durable-channels-'))
}

/**
 * What `gen` and `info` need: the entry (`--entry`, else the wrangler
 * config's main), the project's sources scanned, the entry bundled once
 * (with the generated files it imports served from memory) and imported.
 */
export async function loadApp(cwd: string, entryOption: string | undefined, out: string | undefined): Promise<{ project: Project; sources: ProjectSources }> {
  const entry = await resolveEntry(cwd, entryOption)
  const sources = await scanProject(entry, outputDir(cwd, entry, out), cwd)
  return { project: await loadProject(cwd, entry, sources), sources }
}

/** Bundles `entry` once and imports it. */
export async function loadProject(cwd: string, entry: string, sources: ProjectSources): Promise<Project> {
  const { build } = await loadEsbuild(cwd, 'loading your wirings')
  const dir = await bundleDir()
  try {
    const outfile = join(dir, 'wirings.mjs')
    let bundle: Bundle
    try {
      const target = { entry: async () => entry, watchFiles: [] }
      bundle = await build(bundleOptions({ cwd, outfile, requireFrom: entry, target, plugins: [generatedModules(() => sources)] }))
    } catch (error) {
      throw bundleFailure(error, entry, cwd)
    }
    return await importBundle(bundle, { entry, cwd, file: outfile })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Writes the bundle to `file` and imports it. A new file is a new module,
 * so each call runs the wirings again into a registry of their own. The
 * file goes once imported; Node keeps the module.
 */
export async function importBundle(bundle: Bundle, at: { entry: string; cwd: string; file: string }): Promise<Project> {
  const { entry, cwd, file } = at
  if (Object.keys(bundle.metafile.inputs).filter(isRegistryModule).length > 1) {
    throw new CliError(
      `${display(entry, cwd)} loads pikku-durable-channels from another copy than this CLI's (${display(PACKAGE_ROOT, cwd)}); ` +
        `run the CLI of the copy your Worker imports (npx pikku-durable-channels).`,
    )
  }
  const [output] = bundle.outputFiles
  if (output === undefined) throw new CliError(`esbuild wrote no bundle for ${display(entry, cwd)}`)
  await writeFile(file, output.contents)
  // Stack traces through the inline source map, so a wiring error points at the user's line.
  process.setSourceMapsEnabled(true)
  try {
    return { entry, exports: (await import(pathToFileURL(file).href)) as LibraryExports }
  } catch (error) {
    throw importFailure(error, entry, cwd)
  } finally {
    await rm(file, { force: true })
  }
}
