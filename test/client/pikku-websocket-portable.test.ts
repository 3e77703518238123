import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// `new PikkuWebSocket(new WebSocket(url))` must type-check with each runtime's own
// WebSocket type, not just the one this project's tsconfig declares (Workers').
// The `ws` package's socket is checked by the e2e test, which adopts one.

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const FIXTURE = file('test/client/support/adopt-global-websocket.ts')

const ENVIRONMENTS: Record<string, { lib: string[]; types: string[] }> = {
  'browser (lib DOM)': { lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: [] },
  'Workers (@cloudflare/workers-types alone)': { lib: ['lib.es2023.d.ts'], types: [file('node_modules/@cloudflare/workers-types/index.d.ts')] },
}

function diagnostics(environment: { lib: string[]; types: string[] }): string[] {
  const program = ts.createProgram([FIXTURE, ...environment.types], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: environment.lib,
    types: [],
    strict: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
  })
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('PikkuWebSocket adopts the runtime’s own WebSocket type', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s', (name) => {
    expect(diagnostics(ENVIRONMENTS[name]!)).toEqual([])
  }, 60_000)
})
