// Paths as the user reads them: relative to where they ran the command.
import { statSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

export function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** `file` relative to `cwd` when it is inside it (`.` for cwd itself), else absolute. */
export function display(file: string, cwd: string): string {
  return isInside(file, cwd) ? relative(cwd, file) || '.' : file
}
