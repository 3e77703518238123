// Which imports a wiring file may have (seed 000: the generated types, function files, permissions, middleware).
import { dirname, relative, resolve, sep } from 'node:path'

export type ImportKind = 'generated' | 'function' | 'permissions' | 'middleware' | 'services' | 'library' | 'other'

const EXTENSION = /\.(?:[cm]?[jt]s|tsx|jsx)$/

/**
 * What an import specifier of `file` names. Relative specifiers are judged
 * by the path they resolve to under `root` (the folder checked): a
 * `functions/` folder and a `.function` file name for function files, a
 * `services` path segment for services. `#pikku/` and anything inside a
 * `.pikku` folder are the generated files.
 */
export function importKind(file: string, specifier: string, root: string): ImportKind {
  if (specifier.startsWith('#pikku/') || specifier === '#pikku') return 'generated'
  if (!specifier.startsWith('.')) return specifier === 'pikku-durable-channels' || specifier.startsWith('pikku-durable-channels/') ? 'library' : 'other'
  const segments = relative(root, resolve(dirname(file), specifier)).split(sep)
  const base = (segments.at(-1) ?? '').replace(EXTENSION, '')
  if (segments.includes('.pikku') || base === 'pikku-types.gen') return 'generated'
  if (segments.includes('services') || base === 'services') return 'services'
  if (base.endsWith('.function') && segments.slice(0, -1).includes('functions')) return 'function'
  if (base === 'permissions') return 'permissions'
  if (base === 'middleware') return 'middleware'
  return 'other'
}

/** Whether a file is a function file: `functions/**` + `*.function.ts`, under `root`. */
export function isFunctionFile(file: string, root: string): boolean {
  const segments = relative(root, file).split(sep)
  return /\.function\.tsx?$/.test(segments.at(-1) ?? '') && segments.slice(0, -1).includes('functions')
}
