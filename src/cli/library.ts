// The library modules the CLI bundles together with the user's entry: named here and nowhere else.
import { basename, dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChannelSource, describeChannels, stableStringify, toAsyncAPI } from '../meta/index'

const HERE = fileURLToPath(import.meta.url)

/**
 * The folder that holds `cli/`, `meta/` and `core/`: `src/` when the CLI
 * runs from source, the build's output folder once it runs built. Paths are
 * taken from this module's own location, not the cwd, so they name the copy
 * of the library this CLI belongs to.
 */
export const LIBRARY_ROOT = dirname(dirname(HERE))
export const PACKAGE_ROOT = dirname(LIBRARY_ROOT)

/** `.ts` from source, `.js` once built: the modules below are named like this one. */
const EXTENSION = extname(HERE)

/**
 * The export condition that points package.json's `exports` at `src/`. Run
 * from source, the CLI bundles a Worker with it, so that the Worker's imports
 * of the package reach the same registry module as the CLI's (and no build
 * is needed); built, it bundles as any tool would (`module` is esbuild's own
 * default, kept).
 */
export const SOURCE_CONDITION = 'pikku-durable-channels-source'
export const BUNDLE_CONDITIONS = EXTENSION === '.ts' ? [SOURCE_CONDITION, 'module'] : undefined

/** Inside LIBRARY_ROOT, without extension. */
const META_PATH = 'meta/index'
const REGISTRY_PATH = 'core/wiring/registry'

export const META_MODULE = join(LIBRARY_ROOT, `${META_PATH}${EXTENSION}`)
export const REGISTRY_MODULE = join(LIBRARY_ROOT, `${REGISTRY_PATH}${EXTENSION}`)

/**
 * Whether an esbuild metafile input is a copy of the registry module, this
 * CLI's or another one. Two in one bundle mean the user's wirings fill a
 * registry the CLI does not read.
 */
export function isRegistryModule(input: string): boolean {
  return input.replace(/\\/g, '/').endsWith(`${basename(LIBRARY_ROOT)}/${REGISTRY_PATH}${EXTENSION}`)
}

/** What the bundle exports, once the entry has filled the registry. */
export interface LibraryExports {
  describeChannels: typeof describeChannels
  toAsyncAPI: typeof toAsyncAPI
  stableStringify: typeof stableStringify
  registry: ChannelSource
}

/**
 * The module esbuild bundles: the entry first, so its wirings fill the
 * registry, then the library's exports from the very modules the entry's
 * imports of pikku-durable-channels resolve to.
 */
export function loaderSource(entry: string): string {
  return [
    `import ${JSON.stringify(entry)}`,
    `export { describeChannels, toAsyncAPI, stableStringify } from ${JSON.stringify(META_MODULE)}`,
    `export { registry } from ${JSON.stringify(REGISTRY_MODULE)}`,
  ].join('\n')
}
