import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveEntry } from '../../src/cli/entry'
import { CliError } from '../../src/cli/errors'
import { findWranglerConfig, readWranglerMain } from '../../src/cli/wrangler-config'
import { CLI_TIMEOUT, cleanup, generate, tempDir, tempProject } from './support'

afterAll(cleanup)

/** A temp dir holding `files` (name -> text). */
function project(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

describe('the wrangler config, read by wrangler', CLI_TIMEOUT, () => {
  // First in this file, so this import of wrangler is the one that evaluates it.
  it('imports wrangler without the exit-at-once signal handlers it installs', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]
    const dir = project({ 'wrangler.toml': 'main = "worker.ts"\n' })
    expect(await readWranglerMain(join(dir, 'wrangler.toml'), dir)).toBe('worker.ts')
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toStrictEqual(before)
  })

  it('resolves main from wrangler.toml, relative to the config', async () => {
    const dir = project({ 'wrangler.toml': '# the app\nname = "x"\nmain = "worker.ts" # entry\n\n[vars]\nmain = "not-this.ts"\n', 'worker.ts': '' })
    expect(await resolveEntry(dir, undefined)).toBe(join(dir, 'worker.ts'))
  })

  it('resolves main from wrangler.json', async () => {
    const dir = project({ 'wrangler.json': '{ "name": "x", "main": "worker.ts" }', 'worker.ts': '' })
    expect(await resolveEntry(dir, undefined)).toBe(join(dir, 'worker.ts'))
  })

  it('resolves main from wrangler.jsonc with comments and trailing commas', async () => {
    const jsonc = '{\n  // the app\n  "name": "x", /* "main": "not-this.ts", */\n  "main": "worker.ts",\n  "vars": { "URL": "http://a//b" },\n}\n'
    const dir = project({ 'wrangler.jsonc': jsonc, 'worker.ts': '' })
    expect(await resolveEntry(dir, undefined)).toBe(join(dir, 'worker.ts'))
  })

  it('prefers the file wrangler prefers: json, then jsonc, then toml', async () => {
    const dir = project({ 'wrangler.toml': 'main = "c.ts"\n', 'wrangler.jsonc': '{ "main": "b.ts" }', 'wrangler.json': '{ "main": "a.ts" }' })
    expect(findWranglerConfig(dir)).toBe(join(dir, 'wrangler.json'))
    expect(await readWranglerMain(join(dir, 'wrangler.json'), dir)).toBe('a.ts')
  })

  it('gives undefined for a missing or non-string main', async () => {
    const dir = project({ 'wrangler.json': '{ "main": 1 }' })
    expect(await readWranglerMain(join(dir, 'wrangler.json'), dir)).toBeUndefined()
    await expect(resolveEntry(dir, undefined)).rejects.toThrow(new CliError('wrangler.json has no "main"; set main = "src/index.ts" there, or pass --entry <file>'))
  })

  it('names the file and the place of a parse error', async () => {
    const dir = project({ 'wrangler.toml': 'name = "x"\nmain = "a.ts\n' })
    await expect(readWranglerMain(join(dir, 'wrangler.toml'), dir)).rejects.toThrow(/^wrangler\.toml could not be read: line 2, column \d+: /)
    const json = project({ 'wrangler.json': '{ "main": ' })
    await expect(readWranglerMain(join(json, 'wrangler.json'), json)).rejects.toThrow(/^wrangler\.json could not be read: line 1, column \d+: /)
  })

  it('says how to fix it when wrangler cannot be loaded', async () => {
    const dir = project({ 'wrangler.toml': 'main = "a.ts"\n' })
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package 'wrangler'"), { code: 'ERR_MODULE_NOT_FOUND' })
    }
    await expect(readWranglerMain(join(dir, 'wrangler.toml'), dir, missing)).rejects.toThrow(
      /^reading wrangler\.toml needs the wrangler package, which could not be loaded \(Error: Cannot find package 'wrangler'\); install it .*or pass --entry <file>$/,
    )
    await expect(readWranglerMain(join(dir, 'wrangler.toml'), dir, async () => ({}))).rejects.toThrow(/has no experimental_readRawConfig/)
  })

  it('is not loaded at all when --entry is given', async () => {
    const dir = project({ 'wrangler.toml': 'main = "a.ts"\n', 'b.ts': '' })
    const loaded: string[] = []
    const spy = async () => {
      loaded.push('wrangler')
      return {}
    }
    expect(await resolveEntry(dir, 'b.ts', spy)).toBe(join(dir, 'b.ts'))
    expect(loaded).toStrictEqual([])
  })
})

describe('gen with each config format, end to end', CLI_TIMEOUT, () => {
  for (const [name, text] of [
    ['wrangler.toml', 'main = "src/index.ts"\n'],
    ['wrangler.json', '{ "main": "src/index.ts" }\n'],
    ['wrangler.jsonc', '{\n  // the Worker\n  "main": "src/index.ts",\n}\n'],
  ] as const) {
    it(`finds the entry through ${name}`, () => {
      const dir = tempProject()
      rmSync(join(dir, 'wrangler.toml'))
      writeFileSync(join(dir, name), text)
      const { meta } = generate([], dir)
      expect(meta.channels.map((c: { name: string }) => c.name)).toStrictEqual(['notes'])
    })
  }
})
