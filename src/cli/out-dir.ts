// Where gen writes: --out, else where the project's `#pikku/*` alias points, else .pikku in the working folder.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isFile } from './paths'

export const DEFAULT_OUT = '.pikku'

/**
 * The output folder. Without `--out`, the package.json nearest to the entry
 * (the one Node, esbuild and TypeScript read `imports` from) decides: with
 * `"imports": { "#pikku/*": "./.pikku/*" }` gen writes exactly where the
 * alias points, so `#pikku/pikku-types.gen.js` finds what gen wrote.
 * Without the alias: `.pikku` in `cwd`.
 */
export function outputDir(cwd: string, entry: string, out: string | undefined): string {
  if (out !== undefined) return resolve(cwd, out)
  const found = nearestPackageJson(dirname(entry))
  const target = found && aliasTarget(found)
  return target ?? resolve(cwd, DEFAULT_OUT)
}

function nearestPackageJson(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, 'package.json')
    if (isFile(file)) return file
    if (dirname(current) === current) return undefined
  }
}

/** `./.pikku/*` -> `<package folder>/.pikku`; undefined for no alias or one that is not a folder pattern. */
function aliasTarget(packageJson: string): string | undefined {
  let imports: unknown
  try {
    imports = (JSON.parse(readFileSync(packageJson, 'utf8')) as { imports?: Record<string, unknown> }).imports?.['#pikku/*']
  } catch {
    return undefined
  }
  const target = typeof imports === 'object' && imports !== null ? (imports as Record<string, unknown>).default : imports
  if (typeof target !== 'string' || !target.startsWith('./') || !target.endsWith('/*')) return undefined
  return resolve(dirname(packageJson), target.slice(0, -2))
}
