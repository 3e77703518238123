import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkArchitecture as check } from '../../scripts/check-architecture.mjs'

const made: string[] = []

/** A throwaway src/ tree from file -> content. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'architecture-'))
  made.push(root)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  return root
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe('check-architecture', () => {
  it('holds for this repository', () => {
    expect(check(join(__dirname, '../../src'))).toStrictEqual([])
  })

  it('reports a cycle made only of type imports', () => {
    const root = tree({
      'core/a.ts': "import type { B } from './b'\nexport type A = { b?: B }\n",
      'core/b.ts': "import type { A } from './a'\nexport type B = { a?: A }\n",
    })
    expect(check(root)).toStrictEqual(['cycle: core/a.ts -> core/b.ts'])
  })

  it('reports a cycle through a re-export and a dynamic import', () => {
    const root = tree({
      'core/a.ts': "export { b } from './b'\nexport const a = 1\n",
      'core/b.ts': "export const b = () => import('./a')\n",
    })
    expect(check(root)).toStrictEqual(['cycle: core/a.ts -> core/b.ts'])
  })

  it('reports a core file importing the shell, with its line', () => {
    const root = tree({
      'cloudflare/object.ts': 'export const object = 1\n',
      'core/runtime.ts': "// a comment\nimport { object } from '../cloudflare/object'\nexport const runtime = object\n",
    })
    expect(check(root)).toStrictEqual(['core/runtime.ts:2 imports cloudflare/object.ts, which its layer (core/) may not depend on'])
  })

  it('lets the client import core types, but only the protocol at runtime', () => {
    const root = tree({
      'core/protocol/frames.ts': 'export const FRAME = 1\n',
      'core/wiring/registry.ts': 'export const registry = 1\nexport type Registry = number\n',
      'client/client.ts': [
        "import { FRAME } from '../core/protocol/frames'",
        "import type { Registry } from '../core/wiring/registry'",
        "import { registry } from '../core/wiring/registry'",
        'export const x: Registry = FRAME + registry',
      ].join('\n'),
    })
    expect(check(root)).toStrictEqual(['client/client.ts:3 imports core/wiring/registry.ts, which its layer (client/) may not depend on'])
  })

  it('keeps cloudflare:workers in the shell', () => {
    const root = tree({ 'core/x.ts': "import { DurableObject } from 'cloudflare:workers'\nexport const x = DurableObject\n" })
    expect(check(root)).toStrictEqual(['core/x.ts:1 imports cloudflare:workers, which only src/cloudflare/ may use'])
  })

  it('keeps types.ts a leaf of types: a runtime import there is reported', () => {
    const root = tree({
      'core/logger.ts': 'export const logger = 1\nexport type Logger = number\n',
      'core/types.ts': "import { logger } from './logger'\nexport type L = typeof logger\n",
    })
    expect(check(root)).toStrictEqual(['core/types.ts:1 imports core/logger.ts, which its layer (core/types.ts) may not depend on'])
  })
})
