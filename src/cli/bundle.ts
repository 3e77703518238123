// The esbuild options that turn the user's entry into one importable module.
import { dirname } from 'node:path'
import type { BuildOptions, Plugin } from 'esbuild'
import { cloudflareShim } from './cloudflare-shim'
import { describeError } from './errors'
import { BUNDLE_CONDITIONS, loaderSource } from './library'

export interface BundleTarget {
  /** Resolves the entry. Called for every build, so a rebuild follows a changed `main` in the wrangler config. */
  entry: () => Promise<string>
  /** Files outside the import graph that a rebuild depends on (the wrangler config, package.json). */
  watchFiles: string[]
  /**
   * Runs once the entry is known, before anything it imports is resolved
   * (watch rescans the project here); may name more files and folders to watch.
   */
  prepare?: (entry: string) => Promise<{ watchFiles: string[]; watchDirs: string[] }>
}

export interface BundleSetup {
  cwd: string
  /** Where the bundle will be written: its inline source map is relative to this folder. */
  outfile: string
  /** Bundled CommonJS may require() Node built-ins; they are resolved from here (the entry, the first one in watch). */
  requireFrom: string
  target: BundleTarget
  plugins?: Plugin[]
}

export type BundleOptions = BuildOptions & { write: false; metafile: true }

const LOADER = 'pikku-durable-channels:loader'
const LOADER_NAMESPACE = 'pikku-durable-channels-loader'

/**
 * The whole library is bundled from source together with the entry, so the
 * registry the user's wirings fill is the one the loader re-exports. The
 * metafile lists every input: the duplicate-registry check and watch use it.
 */
export function bundleOptions(setup: BundleSetup): BundleOptions {
  return {
    entryPoints: [LOADER],
    absWorkingDir: setup.cwd,
    outfile: setup.outfile,
    write: false,
    bundle: true,
    platform: 'node',
    conditions: BUNDLE_CONDITIONS,
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    banner: { js: `import { createRequire as __pikkuCreateRequire } from 'node:module'; const require = __pikkuCreateRequire(${JSON.stringify(setup.requireFrom)});` },
    loader: { '.txt': 'text', '.html': 'text', '.sql': 'text', '.bin': 'binary', '.wasm': 'binary' },
    plugins: [loaderPlugin(setup.target), cloudflareShim, ...(setup.plugins ?? [])],
  }
}

/**
 * The entry point as a virtual module. Its load also hands esbuild the
 * extra files to watch, even when the entry cannot be resolved, so that
 * fixing the wrangler config rebuilds; and runs `prepare`, which may fail
 * the build the same way.
 */
function loaderPlugin(target: BundleTarget): Plugin {
  return {
    name: 'pikku-durable-channels-loader',
    setup(build) {
      build.onResolve({ filter: /^pikku-durable-channels:loader$/ }, () => ({ path: 'loader', namespace: LOADER_NAMESPACE }))
      build.onLoad({ filter: /.*/, namespace: LOADER_NAMESPACE }, async () => {
        const { watchFiles } = target
        try {
          const entry = await target.entry()
          const more = await target.prepare?.(entry)
          return { contents: loaderSource(entry), resolveDir: dirname(entry), loader: 'js', watchFiles: [...watchFiles, ...(more?.watchFiles ?? [])], watchDirs: more?.watchDirs }
        } catch (error) {
          // `detail` keeps the error itself, so a CliError reaches the user as is.
          return { errors: [{ text: describeError(error), detail: error }], watchFiles }
        }
      })
    },
  }
}
