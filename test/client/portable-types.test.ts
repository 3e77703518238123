import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The client runs in browsers, Node and Workers, and a consumer type-checks its
// source under that one environment's types. Each declares timers differently
// (Workers: `clearTimeout(id: number | null)`; the DOM: `number | undefined`;
// Node: `Timeout` objects), so the client is checked under each one alone.

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const ENTRY = file('src/client/index.ts')

const ENVIRONMENTS: Record<string, { lib: string[]; types: string[] }> = {
  'browser (lib DOM)': { lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: [] },
  'Node (@types/node)': { lib: ['lib.es2023.d.ts'], types: [file('node_modules/@types/node/index.d.ts')] },
  'Workers (@cloudflare/workers-types alone)': { lib: ['lib.es2023.d.ts'], types: [file('node_modules/@cloudflare/workers-types/index.d.ts')] },
}

function diagnostics(environment: { lib: string[]; types: string[] }): string[] {
  const program = ts.createProgram([ENTRY, ...environment.types], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: environment.lib,
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
  })
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('the client type-checks under each runtime’s own types', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s', (name) => {
    expect(diagnostics(ENVIRONMENTS[name]!)).toEqual([])
  }, 60_000)
})
