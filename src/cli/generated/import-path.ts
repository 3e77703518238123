// How a generated file names another file: relative, '/'-separated, with the `.js` extension.
import { relative } from 'node:path'
import { posix } from '../project-files'

/**
 * `../services.js` for `<root>/services.ts` seen from `<root>/.pikku/`. The
 * `.js` form resolves under every TypeScript module resolution (Bundler,
 * NodeNext) and in esbuild, which all map it back to the `.ts` source.
 */
export function importPath(fromDir: string, file: string): string {
  const path = posix(relative(fromDir, file)).replace(/\.d\.ts$|\.tsx?$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs')
  return path.startsWith('../') ? path : `./${path}`
}

/** A single-quoted string literal, as the rest of the code base writes them. */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
