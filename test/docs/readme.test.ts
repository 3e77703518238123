import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { installTarball, packTarball, removeProjects, ROOT, run, spec, tempDir } from '../package/consumer-project'
import { readmeSnippets } from './readme-snippets'

afterAll(removeProjects)

/** A fresh project holding the README's blocks, with the packed package and its peers installed from npm, as a user has them. */
function project(): { dir: string; snippets: ReturnType<typeof readmeSnippets> } {
  const dir = tempDir('pikku-readme-')
  const snippets = readmeSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  for (const snippet of snippets) {
    mkdirSync(dirname(join(dir, snippet.file)), { recursive: true })
    writeFileSync(join(dir, snippet.file), `${snippet.text}\n`)
  }
  // As the README's own setup has it: the #pikku alias, and the Worker named in wrangler.toml.
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
      exclude: ['node_modules'],
    }),
  )
  // The README's Install line, plus what its blocks and gen use (esbuild for gen without wrangler, ws for the Node stream example).
  const packages = ['hono', 'valibot', '@cloudflare/workers-types', '@types/node', 'typescript', 'esbuild', 'ws', '@types/ws'].map(spec)
  installTarball(dir, packTarball().file, packages)
  return { dir, snippets }
}

describe('README', () => {
  it('has TypeScript blocks that all compile, as written, against the packed package', { timeout: 300_000 }, () => {
    const { dir, snippets } = project()
    expect(snippets.length).toBeGreaterThan(10)
    // The blocks that import through #pikku read what gen writes, as in a user's project: the installed CLI's.
    const gen = run(join(dir, 'node_modules', '.bin', 'pikku-durable-channels'), ['gen', '--entry', 'index.ts'], { cwd: dir })
    expect(gen.stderr).toBe('')
    const tsc = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir })
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
