import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CliError } from '../../src/cli/errors'
import { loadEsbuild, type LoadModule } from '../../src/cli/esbuild'
import { ROOT } from './support'

const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A project whose only esbuild is nested inside its wrangler, as a package manager that does not hoist leaves it. */
function projectWithNestedEsbuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pikku-esbuild-'))
  made.push(dir)
  const wrangler = join(dir, 'node_modules', 'wrangler')
  mkdirSync(join(wrangler, 'node_modules'), { recursive: true })
  writeFileSync(join(wrangler, 'package.json'), JSON.stringify({ name: 'wrangler', main: 'index.js' }))
  writeFileSync(join(wrangler, 'index.js'), '')
  symlinkSync(join(ROOT, 'node_modules', 'esbuild'), join(wrangler, 'node_modules', 'esbuild'), 'dir')
  return dir
}

/** Module loading where the bare `esbuild` is not installed. */
const withoutBareEsbuild: LoadModule = (specifier) => (specifier === 'esbuild' ? Promise.reject(new Error("Cannot find package 'esbuild'")) : import(specifier))

describe('loadEsbuild', () => {
  it('loads the esbuild the project has', async () => {
    const esbuild = await loadEsbuild(ROOT, 'gen')
    expect(typeof esbuild.build).toBe('function')
  })

  it('falls back to the esbuild inside the project’s wrangler', async () => {
    const esbuild = await loadEsbuild(projectWithNestedEsbuild(), 'gen', withoutBareEsbuild)
    expect(typeof esbuild.build).toBe('function')
    expect(typeof esbuild.context).toBe('function')
  })

  it('says what to install when neither is there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pikku-esbuild-'))
    made.push(empty)
    const failure = loadEsbuild(empty, 'loading your wirings', withoutBareEsbuild)
    await expect(failure).rejects.toBeInstanceOf(CliError)
    await expect(failure).rejects.toThrow(/^loading your wirings needs esbuild, which could not be loaded \(Error: Cannot find package 'esbuild'; .*Cannot find module 'wrangler'.*\); it comes with wrangler: install wrangler in your project \(npm install --save-dev wrangler\), or esbuild itself \(npm install --save-dev esbuild\)$/s)
  })
})
