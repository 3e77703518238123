// esbuild, which this package does not install: the user's own, or the one their wrangler bundles Workers with.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CliError, describeError } from './errors'

export type Esbuild = typeof import('esbuild')

/** Loads a module by specifier or file URL; a parameter so tests can stand in for a missing or a nested esbuild. */
export type LoadModule = (specifier: string) => Promise<unknown>

const importModule: LoadModule = (specifier) => import(specifier)

/**
 * esbuild as the project sees it (an optional peer), else the copy inside the
 * project's wrangler (a package manager that does not hoist keeps it there).
 * `purpose` says in the message why it is needed.
 */
export async function loadEsbuild(cwd: string, purpose: string, load = importModule): Promise<Esbuild> {
  const tried: string[] = []
  // Thunks: finding wrangler's copy may itself fail, and counts as one more try.
  for (const locate of [() => 'esbuild', () => wranglersEsbuild(cwd)]) {
    try {
      const module = (await load(locate())) as Esbuild & { default?: Esbuild }
      // esbuild is CommonJS: its exports may come as the default export only.
      return typeof module.build === 'function' ? module : (module.default ?? module)
    } catch (error) {
      tried.push(describeError(error))
    }
  }
  throw new CliError(
    `${purpose} needs esbuild, which could not be loaded (${tried.join('; ')}); it comes with wrangler: ` +
      'install wrangler in your project (npm install --save-dev wrangler), or esbuild itself (npm install --save-dev esbuild)',
  )
}

/** The file URL of the esbuild that the project's wrangler resolves to. */
function wranglersEsbuild(cwd: string): string {
  const wrangler = createRequire(join(cwd, 'package.json')).resolve('wrangler')
  return pathToFileURL(createRequire(wrangler).resolve('esbuild')).href
}
