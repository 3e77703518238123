import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readmeSnippets } from './readme-snippets'

const ROOT = join(__dirname, '..', '..')
const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A fresh project holding the README's blocks, with the package and its peers installed (linked from this repository). */
function project(): { dir: string; snippets: ReturnType<typeof readmeSnippets> } {
  const dir = mkdtempSync(join(tmpdir(), 'pikku-readme-'))
  made.push(dir)
  const snippets = readmeSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  for (const snippet of snippets) {
    mkdirSync(dirname(join(dir, snippet.file)), { recursive: true })
    writeFileSync(join(dir, snippet.file), `${snippet.text}\n`)
  }
  mkdirSync(join(dir, 'node_modules', '@cloudflare'), { recursive: true })
  symlinkSync(ROOT, join(dir, 'node_modules', 'pikku-durable-channels'), 'dir')
  for (const name of ['hono', 'valibot', 'ws', '@types', '@cloudflare/workers-types', '@valibot']) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
  // As the README's own setup has it: the #pikku alias, and the Worker named in wrangler.toml for gen.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme', private: true, type: 'module', imports: { '#pikku/*': './.pikku/*' } }))
  writeFileSync(join(dir, 'wrangler.toml'), 'name = "readme"\nmain = "index.ts"\ncompatibility_date = "2026-04-20"\n')
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023'],
        types: ['@cloudflare/workers-types', 'node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        isolatedModules: true,
      },
      include: ['**/*.ts'],
    }),
  )
  return { dir, snippets }
}

describe('README', () => {
  it('has TypeScript blocks that all compile, as written, in a project of their own', { timeout: 120_000 }, () => {
    const { dir, snippets } = project()
    expect(snippets.length).toBeGreaterThan(10)
    // The blocks that import through #pikku read what gen writes, as in a user's project.
    const gen = spawnSync(process.execPath, [join(ROOT, 'bin', 'pikku-durable-channels.mjs'), 'gen'], { encoding: 'utf8', cwd: dir })
    expect(gen.stderr).toBe('')
    const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir, '--pretty', 'false'], { encoding: 'utf8', cwd: dir })
    // Point each error at the README line it comes from.
    const errors = (tsc.stdout + tsc.stderr)
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
      .map((line) => {
        const match = /^(.+?)\((\d+),\d+\): (.*)$/.exec(line)
        const snippet = match && snippets.find((s) => join(dir, s.file) === join(dir, match[1]!) || match[1]!.endsWith(s.file))
        return snippet ? `README.md:${snippet.lines[Number(match![2]) - 1] ?? '?'}: ${match![3]}` : line
      })
    expect(errors).toStrictEqual([])
  })
})

describe('readmeSnippets', () => {
  it('names blocks by their first-line path, appends a block marked <!-- continues -->, and keeps README line numbers', () => {
    const readme = ['# x', '```ts', '// a.ts', 'export const a = 1', '```', '<!-- continues -->', '```ts', 'export const b = 2', '```', '```ts', 'const c = 3', '```', '```js', 'not = typescript', '```'].join('\n')
    expect(readmeSnippets(readme)).toStrictEqual([
      { file: 'a.ts', text: '// a.ts\nexport const a = 1\nexport const b = 2', lines: [3, 4, 8] },
      { file: 'readme-line-11.ts', text: 'const c = 3', lines: [11] },
    ])
  })
})
