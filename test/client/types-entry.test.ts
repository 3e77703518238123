import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// `pikku-durable-channels/types` lists its names one by one (so its declarations keep
// `export type`): it must name every type, interface and class the core and the client export.

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const TYPE_FLAGS = ts.SymbolFlags.Type | ts.SymbolFlags.Class

function exportsOf(program: ts.Program, path: string): ts.Symbol[] {
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(path)!)!
  return checker.getExportsOfModule(module)
}

describe('pikku-durable-channels/types', () => {
  it('names every type the core and the client export, and only as types', () => {
    const entries = ['src/core/index.ts', 'src/client/index.ts', 'src/types.ts'].map(file)
    const program = ts.createProgram(entries, { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, types: [] })
    const checker = program.getTypeChecker()
    const isType = (symbol: ts.Symbol) => (checker.getAliasedSymbol(symbol).flags & TYPE_FLAGS) !== 0
    const wanted = new Set(entries.slice(0, 2).flatMap((entry) => exportsOf(program, entry).filter(isType).map((symbol) => symbol.name)))
    const listed = exportsOf(program, entries[2]!)
    expect(new Set(listed.map((symbol) => symbol.name))).toStrictEqual(wanted)
    // Each is re-exported with `export type`, so none is a value here.
    expect(listed.filter((symbol) => !symbol.declarations?.every((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly))).map((s) => s.name)).toStrictEqual([])
  }, 60_000)
})
