// While gen loads the project, the generated files it imports come from memory, not from disk.
import { dirname, resolve } from 'node:path'
import type { ImportKind, OnResolveResult, Plugin, PluginBuild } from 'esbuild'
import { bootstrapFile } from './generated/bootstrap-file'
import { typesFile } from './generated/types-file'
import { BOOTSTRAP_FILE, TYPES_FILE } from './output-files'
import { isFile, isInside } from './paths'
import type { ProjectSources } from './project-sources'

const SKIP = 'pikku-durable-channels:generated-modules:skip'

/**
 * The files a project imports to load (`pikku-types.gen.ts`,
 * `pikku-bootstrap.gen.ts`) exist only once gen has run, and gen has to load
 * the project first: on a fresh clone `.pikku/` is not there. So the bundle
 * gets them as gen is about to write them, reached either way a project may
 * name them, `#pikku/pikku-types.gen.js` or a relative path into the output
 * folder. What they import from the library is resolved as if from the
 * entry's folder when the output folder cannot resolve it (`--out` outside
 * the project). `current` is read per build, so watch sees each rescan.
 */
export function generatedModules(current: () => ProjectSources | undefined): Plugin {
  return {
    name: 'pikku-durable-channels-generated-modules',
    setup(build) {
      /** The file's text, for the two generated files of the current scan; only the path is compared until it is one. */
      const contents = (path: string): (() => string) | undefined => {
        const sources = current()
        if (!sources) return undefined
        if (path === resolve(sources.outDir, TYPES_FILE)) return () => typesFile(sources, undefined)
        if (path === resolve(sources.outDir, BOOTSTRAP_FILE)) return () => bootstrapFile(sources)
        return undefined
      }
      const generated = (candidate: string): { path: string } | undefined => {
        const path = `${candidate.replace(/\.[cm]?[jt]s$/, '')}.ts`
        return contents(path) === undefined ? undefined : { path }
      }

      build.onResolve({ filter: /^#pikku\// }, (args) => {
        const sources = current()
        return sources ? generated(resolve(sources.outDir, args.path.slice('#pikku/'.length))) : undefined
      })
      build.onResolve({ filter: /(?:^|\/)pikku-(?:types|bootstrap)\.gen(?:\.[cm]?[jt]s)?$/ }, (args) =>
        args.path.startsWith('.') ? generated(resolve(args.resolveDir, args.path)) : undefined,
      )
      build.onLoad({ filter: /pikku-(?:types|bootstrap)\.gen\.ts$/ }, (args) => {
        const text = contents(args.path)
        return text === undefined ? undefined : { contents: text(), loader: 'ts', resolveDir: dirname(args.path) }
      })
      // esbuild maps `../services.js` to `../services.ts` only from a folder that exists, and on a fresh clone the output folder does not.
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (contents(args.importer) === undefined) return undefined
        const path = resolve(args.resolveDir, args.path)
        const stem = path.replace(/\.[cm]?js$/, '')
        const found = [path, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`].find(isFile)
        return found === undefined ? undefined : { path: found }
      })
      build.onResolve({ filter: /^pikku-durable-channels(?:\/.*)?$/ }, async (args) => {
        const sources = current()
        if (args.pluginData?.[SKIP] === true || !sources || !isInside(args.importer, sources.outDir)) return undefined
        return libraryFrom(build, args.path, args.kind, [args.resolveDir, sources.root])
      })
    },
  }
}

/** The first folder the library resolves from, or the first folder's errors. */
async function libraryFrom(build: PluginBuild, path: string, kind: ImportKind, dirs: string[]): Promise<OnResolveResult> {
  let first: OnResolveResult | undefined
  for (const resolveDir of dirs) {
    const result = await build.resolve(path, { kind, resolveDir, pluginData: { [SKIP]: true } })
    if (result.errors.length === 0) return { path: result.path, external: result.external, namespace: result.namespace, sideEffects: result.sideEffects }
    first ??= result
  }
  return { errors: first?.errors ?? [] }
}
