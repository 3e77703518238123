// The files of the user's project under a folder: what git would track, without node_modules and the output folder.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { byCodeUnit } from './order'
import { isFile, isInside } from './paths'

export interface ProjectFiles {
  root: string
  /** Absolute paths, sorted by their path under `root` ('/'-separated, code-unit order). */
  files: string[]
  /** Every folder that holds one of them, `root` included: what watch mode rescans for new files. */
  dirs: string[]
  /** How ignored files were told apart: git's own rules, or (outside a git work tree) dot-folders skipped. */
  source: 'git' | 'walk'
}

/**
 * Lists the files under `root`. In a git work tree it asks git
 * (`git ls-files --cached --others --exclude-standard`): tracked files and
 * untracked ones no `.gitignore` excludes, so ignored folders are never
 * entered. Elsewhere (a tarball, a temp copy) it walks the folder and skips
 * folders whose name starts with a dot. Either way `node_modules` and the
 * folders in `skip` (the output folder) are left out.
 */
export function projectFiles(root: string, skip: string[] = []): ProjectFiles {
  const listed = gitFiles(root)
  const candidates = listed ?? walk(root)
  const files = candidates
    // isFile: git also lists tracked files deleted since, and symlinks to folders.
    .filter((file) => !relative(root, file).split(sep).includes('node_modules') && !skip.some((dir) => isInside(file, dir)) && isFile(file))
    .sort((a, b) => byCodeUnit(posix(relative(root, a)), posix(relative(root, b))))
  const dirs = new Set<string>([root])
  for (const file of files) {
    for (let dir = join(file, '..'); isInside(dir, root) && !dirs.has(dir); dir = join(dir, '..')) dirs.add(dir)
  }
  return { root, files, dirs: [...dirs].sort(byCodeUnit), source: listed ? 'git' : 'walk' }
}

/** Paths with '/' whatever the platform, as imports and messages write them. */
export function posix(path: string): string {
  return path.split(sep).join('/')
}

function gitFiles(root: string): string[] | undefined {
  const result = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (result.error || result.status !== 0) return undefined
  return [...new Set(result.stdout.split('\0').filter(Boolean))].map((path) => join(root, path))
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name.startsWith('.') || entry.name === 'node_modules' ? [] : walk(path)
    return entry.isFile() ? [path] : []
  })
}
