// Adds what the user's Worker entry needs, but only where the entry has a shape
// this can be sure of: `export default app` for a Hono app (`const app = new Hono(...)`),
// or `export default channels()`. Anything else gets the exact lines to paste.
import type * as TS from 'typescript'
import type { TypeScript } from '../typescript'
import { parse } from '../typescript'
import { entryLines } from './starter'

const PACKAGE = 'pikku-durable-channels'

export type EntryEdit = { kind: 'unchanged' } | { kind: 'edited'; text: string; added: string[] } | { kind: 'manual'; lines: string[]; why: string }

/** The edit for the entry `file`, which should import `helloImport` (a path relative to it, e.g. `./hello.channel`). */
export function editEntry(ts: TypeScript, file: string, text: string, helloImport: string): EntryEdit {
  const source = parse(ts, file, text)
  const statements = source.statements
  const imports = statements.filter(ts.isImportDeclaration)
  const specifier = (node: TS.ImportDeclaration | TS.ExportDeclaration) => (node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : '')
  const importsChannels = imports.some((node) => {
    const bindings = node.importClause?.namedBindings
    return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.some((element) => element.name.text === 'channels')
  })
  const importsHello = imports.some((node) => specifier(node).replace(/\.(js|ts)$/, '') === helloImport)
  const exportsObject = statements.some(
    (node) => ts.isExportDeclaration(node) && node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.some((e) => e.name.text === 'ChannelObject'),
  )
  const callsChannels = text.includes('channels(')

  const exported = statements.find((node): node is TS.ExportAssignment => ts.isExportAssignment(node) && !node.isExportEquals)
  const app = exported && ts.isIdentifier(exported.expression) ? honoApp(ts, statements, exported.expression.text) : undefined
  const exportsChannels = exported !== undefined && ts.isCallExpression(exported.expression) && ts.isIdentifier(exported.expression.expression) && exported.expression.expression.text === 'channels'
  if (!exported || (!app && !exportsChannels)) {
    return { kind: 'manual', lines: entryLines(helloImport), why: 'its default export is not a Hono app (`const app = new Hono()` ... `export default app`) or channels()' }
  }

  const added: string[] = []
  const head: string[] = []
  if (!callsChannels && !importsChannels) head.push(`import { channels } from '${PACKAGE}'`)
  if (!importsHello) {
    head.push(`import '${helloImport}'`)
    added.push(`import '${helloImport}'`)
  }
  const tail: string[] = []
  if (!exportsObject) {
    tail.push(`export { ChannelObject } from '${PACKAGE}'`)
    added.push('export { ChannelObject }')
  }
  const mount = !callsChannels && app ? `${app}.route('/', channels())` : undefined
  if (mount) added.push(mount)
  if (head.length === 0 && tail.length === 0 && !mount) return { kind: 'unchanged' }

  const afterImports = imports.length ? imports[imports.length - 1]!.getEnd() : 0
  const beforeExport = exported.getStart(source)
  const lines = (items: string[]) => items.map((line) => `${line}\n`).join('')
  const top = `${afterImports ? '\n' : ''}${lines(head)}${tail.length ? `\n${lines(tail)}` : ''}`
  const edited = text.slice(0, afterImports) + top + text.slice(afterImports, beforeExport) + (mount ? `${mount}\n` : '') + text.slice(beforeExport)
  return { kind: 'edited', text: edited, added }
}

/** The name, when `name` is declared `const name = new Hono(...)` at the top level. */
function honoApp(ts: TypeScript, statements: readonly TS.Statement[], name: string): string | undefined {
  for (const statement of statements) {
    if (!ts.isVariableStatement(statement)) continue
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'Hono') return name
    }
  }
  return undefined
}
