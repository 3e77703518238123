// `watch`: gen again after every rebuild of the entry, on esbuild's own file watching.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Plugin } from 'esbuild'
import { bundleOptions, type BundleTarget } from './bundle'
import { resolveEntry } from './entry'
import { loadEsbuild } from './esbuild'
import { failure } from './errors'
import { appInfoFile, writeGenerated, type DocumentPlace, type GenOptions } from './gen'
import { generatedModules } from './generated-modules'
import { bundleFailure } from './load-errors'
import { bundleDir, importBundle, type Bundle } from './load-project'
import { outputDir } from './out-dir'
import { display, isFile } from './paths'
import { projectLayout, scanProject, type ProjectSources } from './project-sources'
import { findWranglerConfig } from './wrangler-config'

/**
 * Runs until SIGINT or SIGTERM, then stops esbuild and exits 0. esbuild
 * watches the files the bundle read, the wrangler config and package.json,
 * and the project's TypeScript files and folders (a new `*.channel.ts`
 * changes the bootstrap, a `UserSession` the types), and runs one rebuild
 * at a time, so generations never overlap. Each rebuild rescans the project
 * and is imported as a new module (a fresh registry) in this
 * process; Node cannot unload modules, so a long session keeps every copy.
 */
export async function watch({ cwd, entry: entryOption, out, document }: GenOptions): Promise<number> {
  // Resolved now, so a wrong --entry or main fails at once rather than on every change.
  let entry = await resolveEntry(cwd, entryOption)
  const config = entryOption === undefined ? findWranglerConfig(cwd) : undefined
  const watchFiles = [config, appInfoFile(cwd)].filter((file): file is string => file !== undefined && isFile(file))
  let sources: ProjectSources | undefined
  let scanFailure: unknown
  const target: BundleTarget = {
    // Again for every rebuild, as an edit of the wrangler config may change main.
    entry: async () => {
      entry = await resolveEntry(cwd, entryOption)
      return entry
    },
    watchFiles,
    // A new *.channel.ts changes the bootstrap, a new UserSession the types: watch the project's folders and
    // files. Even when the scan fails (two services factories, say), so that the fix is seen.
    prepare: async (resolved) => {
      const layout = projectLayout(resolved, outputDir(cwd, resolved, out))
      sources = undefined
      scanFailure = undefined
      try {
        sources = await scanProject(resolved, layout.outDir, cwd, layout)
      } catch (error) {
        scanFailure = error
      }
      return { watchFiles: layout.typeScriptFiles, watchDirs: layout.dirs }
    },
  }
  const { context } = await loadEsbuild(cwd, 'watch')
  const stopped = stopSignal()
  const dir = await bundleDir()
  try {
    let builds = 0
    const regenerate = onEachBuild(async (bundle) => {
      await generate(bundle, { sources, scanFailure }, { entry, cwd, file: join(dir, `wirings-${++builds}.mjs`), document })
      if (builds === 1) process.stdout.write(`watching ${watchedText(entry, watchFiles, cwd)} for changes (Ctrl-C to stop)\n`)
    })
    const plugins = [generatedModules(() => sources), regenerate]
    const ctx = await context(bundleOptions({ cwd, outfile: join(dir, 'wirings.mjs'), requireFrom: entry, target, plugins }))
    try {
      await ctx.watch()
      await stopped
    } finally {
      await ctx.dispose()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return 0
}

/**
 * One generation; a failure is reported and watching goes on, as the next
 * save may fix it. A failed scan of the project is told first: the bundle
 * could not get the generated modules without it.
 */
async function generate(
  bundle: Bundle,
  { sources, scanFailure }: { sources: ProjectSources | undefined; scanFailure: unknown },
  at: { entry: string; cwd: string; file: string; document: DocumentPlace },
): Promise<void> {
  try {
    if (scanFailure !== undefined) throw scanFailure
    if (bundle.errors.length > 0 || !sources) throw bundleFailure(bundle.errors, at.entry, at.cwd)
    await writeGenerated(await importBundle(bundle, at), sources, at.cwd, at.document)
  } catch (error) {
    process.stderr.write(failure(error).text)
  }
}

/** esbuild awaits onEnd before it starts the next rebuild. */
function onEachBuild(run: (bundle: Bundle) => Promise<void>): Plugin {
  return {
    name: 'pikku-durable-channels-regenerate',
    setup(build) {
      build.onEnd((result) => run(result as Bundle))
    },
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process the default way. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/** `worker/index.ts with its imports, wrangler.toml and package.json` */
function watchedText(entry: string, watchFiles: string[], cwd: string): string {
  const items = [`${display(entry, cwd)} with its imports`, ...watchFiles.map((file) => display(file, cwd))]
  const last = items.pop()
  return items.length === 0 ? `${last}` : `${items.join(', ')} and ${last}`
}
