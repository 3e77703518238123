import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectFiles } from '../../src/cli/project-files'
import { cleanup, ROOT, tempDir } from './support'

afterAll(cleanup)

/**
 * The working tree as a clone of it would have it: every file git tracks or
 * would track (so no `.pikku/`, `.wrangler/` or `node_modules/`), plus this
 * checkout's node_modules linked in, as `npm ci` would install them.
 */
function freshClone(): string {
  const dir = tempDir('pikku-fresh-clone-')
  const { files, source } = projectFiles(ROOT)
  expect(source).toBe('git')
  for (const file of files) {
    const to = join(dir, relative(ROOT, file))
    mkdirSync(dirname(to), { recursive: true })
    cpSync(file, to)
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

function npmRun(script: string, cwd: string) {
  const result = spawnSync('npm', ['run', script], { cwd, encoding: 'utf8', timeout: 300_000 })
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` }
}

describe('a fresh clone, with no .pikku/ folder yet', () => {
  it('type-checks (npm run typecheck) and bundles (npm run check:bundle): both regenerate first', () => {
    const dir = freshClone()
    const generated = join(dir, 'worker', '.pikku')
    expect(existsSync(generated)).toBe(false)

    const typecheck = npmRun('typecheck', dir)
    expect(typecheck.output).toContain('wrote worker/.pikku/pikku-types.gen.ts')
    expect(typecheck.status, typecheck.output).toBe(0)

    rmSync(generated, { recursive: true })
    const bundle = npmRun('check:bundle', dir)
    expect(bundle.output).toContain('wrote worker/.pikku/pikku-bootstrap.gen.ts')
    expect(bundle.output).toContain('--dry-run: exiting now.')
    expect(bundle.status, bundle.output).toBe(0)
  }, 300_000)
})
