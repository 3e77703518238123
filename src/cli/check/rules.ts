// Seed 000's review checklist, rule by rule, over one parsed file.
import { basename } from 'node:path'
import type * as TS from 'typescript'
import { calleeName, position, type TypeScript } from '../typescript'
import { FileFindings, type Finding } from './findings'
import { importKind, isFunctionFile } from './imports'

/** The function kinds, which belong in functions/**\/*.function.ts. */
const FUNCTION_KINDS = new Set(['pikkuFunc', 'pikkuSessionlessFunc', 'pikkuFuncSessionless', 'pikkuChannelConnectionFunc', 'pikkuChannelDisconnectionFunc', 'pikkuChannelFunc'])
/** Calls a wiring file may make besides wireChannel; their arguments are configs too. */
const WIRING_CALLS = new Set(['wireChannel', 'addChannelMiddleware', 'wireRPC'])
/** `wire*` calls that are not channel wiring: other transports (wireHTTP, wireQueueWorker, wireScheduler, ...). */
const isOtherTransport = (name: string) => /^wire[A-Z]/.test(name) && !WIRING_CALLS.has(name)
const isWiringCall = (name: string | undefined) => name !== undefined && (WIRING_CALLS.has(name) || /^wire[A-Z]/.test(name))

/** Where the wiring and function rules apply, and what they find. */
export function checkSource(ts: TypeScript, source: TS.SourceFile, root: string): Finding[] {
  const file = source.fileName
  const out = new FileFindings(source)
  const calls = collectCalls(ts, source)
  const channelFile = basename(file).endsWith('.channel.ts')
  const wireChannels = calls.filter((call) => calleeName(ts, call) === 'wireChannel')
  const functionFile = isFunctionFile(file, root)

  if (!channelFile) for (const call of wireChannels) out.add(call, 'wiring-file-name', 'wireChannel outside a *.channel.ts file: move this wiring into one')
  if (channelFile || wireChannels.length > 0) checkWiringFile(ts, source, root, calls, wireChannels[0], out)
  if (!functionFile) {
    for (const call of calls) {
      const name = calleeName(ts, call)
      if (name !== undefined && FUNCTION_KINDS.has(name)) out.add(call, 'function-file', `${name}(...) outside functions/**/*.function.ts: define functions there and import them`)
    }
  }
  if (/\.function\.tsx?$/.test(file)) {
    for (const call of calls) {
      const name = calleeName(ts, call)
      if ((name === 'then' || name === 'catch') && !ts.isIdentifier(call.expression)) {
        out.add(call.expression, 'promise-chain', `.${name}() in a function file: use await, with try/catch for errors`)
      }
    }
  }
  return out.findings
}

function collectCalls(ts: TypeScript, source: TS.SourceFile): TS.CallExpression[] {
  const calls: TS.CallExpression[] = []
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return calls
}

function checkWiringFile(ts: TypeScript, source: TS.SourceFile, root: string, calls: TS.CallExpression[], channel: TS.CallExpression | undefined, out: FileFindings): void {
  const file = source.fileName
  // Imports: the generated types, function files, permissions and middleware.
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
    const specifier = statement.moduleSpecifier.text
    const kind = importKind(file, specifier, root)
    if (kind === 'services') out.add(statement, 'wiring-import', `imports "${specifier}": wirings never import services (a function gets them as its first argument)`)
    else if (kind === 'library') out.add(statement, 'wiring-import', `imports "${specifier}": import the adapter from the generated types (#pikku/pikku-types.gen.js)`)
    else if (kind === 'other') {
      out.add(statement, 'wiring-import', `imports "${specifier}": a wiring file imports only the generated types, functions/**/*.function.ts, permissions.ts and middleware.ts`)
    }
  }

  // One transport: the first other one is enough to say so.
  const other = calls.find((call) => isOtherTransport(calleeName(ts, call) ?? ''))
  if (other) {
    const name = calleeName(ts, other)
    const beside = channel ? `wireChannel (line ${position(source, channel).line})` : 'a *.channel.ts file name'
    out.add(other, 'mixed-transports', `${name} beside ${beside}: one transport per wiring file, so move ${name} to a file of its own`)
  }

  // Nothing but imports and wiring calls, and those with literal configs.
  for (const statement of source.statements) {
    const call = wiringCallOf(ts, statement)
    if (call) checkConfig(ts, call, out)
    else if (!ts.isImportDeclaration(statement) && !ts.isEmptyStatement(statement) && !isEmptyExport(ts, statement)) {
      out.add(statement, 'wiring-logic', `${describeStatement(ts, statement)} in a wiring file: only imports and wireChannel/addChannelMiddleware calls belong here (logic goes in functions/**/*.function.ts)`)
    }
  }
}

/** `wireChannel({...})`, `export const chat = wireChannel({...})` or `export default wireChannel({...})`: the call. */
function wiringCallOf(ts: TypeScript, statement: TS.Statement): TS.CallExpression | undefined {
  let expression: TS.Expression | undefined
  if (ts.isExpressionStatement(statement)) expression = statement.expression
  else if (ts.isExportAssignment(statement)) expression = statement.expression
  else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const [declaration] = statement.declarationList.declarations
    if (declaration && ts.isIdentifier(declaration.name)) expression = declaration.initializer
  }
  return expression && ts.isCallExpression(expression) && isWiringCall(calleeName(ts, expression)) ? expression : undefined
}

function isEmptyExport(ts: TypeScript, statement: TS.Statement): boolean {
  return ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause) && statement.exportClause.elements.length === 0
}

/** The arguments of a wiring call: literals, imported names and object or array literals of them. */
function checkConfig(ts: TypeScript, call: TS.CallExpression, out: FileFindings): void {
  const name = calleeName(ts, call)
  if (isOtherTransport(name ?? '')) return // told once already, as mixed-transports
  if (name === 'addChannelMiddleware') {
    const [tag, middleware] = call.arguments
    if (tag && !isStringLiteral(ts, tag)) out.add(tag, 'config-indirection', 'the tag of addChannelMiddleware is not a string literal: hardcode it')
    if (middleware) checkValue(ts, middleware, out)
    return
  }
  const [config] = call.arguments
  if (!config) return
  const object = unwrap(ts, config)
  if (!ts.isObjectLiteralExpression(object)) {
    out.add(config, 'config-indirection', `the config of ${name} is not an object literal: write it out in the wiring`)
    return
  }
  for (const property of object.properties) {
    const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined
    if (name === 'wireChannel' && (key === 'name' || key === 'route')) {
      const value = ts.isPropertyAssignment(property) ? property.initializer : undefined
      if (!value || !isStringLiteral(ts, value)) out.add(value ?? property, 'config-indirection', `channel ${key} is not a string literal: hardcode it (no config indirection)`)
      continue
    }
    checkProperty(ts, property, out)
  }
}

function checkProperty(ts: TypeScript, property: TS.ObjectLiteralElementLike, out: FileFindings): void {
  if (ts.isSpreadAssignment(property)) out.add(property, 'config-indirection', 'a spread in a wiring config: write the config out in the wiring')
  else if (ts.isPropertyAssignment(property)) {
    if (ts.isComputedPropertyName(property.name) && !isStringLiteral(ts, property.name.expression)) {
      out.add(property.name, 'config-indirection', 'a computed key in a wiring config: write the key out')
    } else checkValue(ts, property.initializer, out)
  } else if (!ts.isShorthandPropertyAssignment(property)) {
    out.add(property, 'wiring-logic', 'an inline function in a wiring config: define it in functions/**/*.function.ts and import it')
  }
}

/** Reports the outermost part of a value that is not a literal, a name, or a literal of those. */
function checkValue(ts: TypeScript, value: TS.Expression, out: FileFindings): void {
  const node = unwrap(ts, value)
  if (ts.isObjectLiteralExpression(node)) for (const property of node.properties) checkProperty(ts, property, out)
  else if (ts.isArrayLiteralExpression(node)) {
    for (const element of node.elements) {
      if (ts.isSpreadElement(element)) out.add(element, 'config-indirection', 'a spread in a wiring config: list the entries in the wiring')
      else checkValue(ts, element, out)
    }
  } else if (!isPlainValue(ts, node)) {
    const what = ts.isArrowFunction(node) || ts.isFunctionExpression(node) ? 'an inline function' : ts.isCallExpression(node) || ts.isNewExpression(node) ? 'a call' : 'a computed value'
    out.add(node, 'wiring-logic', `${what} in a wiring config: define it in functions/**/*.function.ts (or a schema beside its function) and import it`)
  }
}

/** Literals, names and `a.b.c`: nothing that runs. */
function isPlainValue(ts: TypeScript, node: TS.Expression): boolean {
  if (isStringLiteral(ts, node) || ts.isNumericLiteral(node) || ts.isRegularExpressionLiteral(node) || ts.isIdentifier(node)) return true
  const kind = node.kind
  if (kind === ts.SyntaxKind.TrueKeyword || kind === ts.SyntaxKind.FalseKeyword || kind === ts.SyntaxKind.NullKeyword) return true
  if (ts.isPrefixUnaryExpression(node)) return node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)
  if (ts.isPropertyAccessExpression(node)) return isPlainValue(ts, node.expression)
  return false
}

function isStringLiteral(ts: TypeScript, node: TS.Expression): boolean {
  const inner = unwrap(ts, node)
  return ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner)
}

/** Through parentheses, `as`, `satisfies` and `!`, which change no value. */
function unwrap(ts: TypeScript, node: TS.Expression): TS.Expression {
  let current = node
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) current = current.expression
  return current
}

/** `a function declaration`, `a variable`, ...: what the statement is, in words. */
function describeStatement(ts: TypeScript, statement: TS.Statement): string {
  if (ts.isFunctionDeclaration(statement)) return 'a function declaration'
  if (ts.isClassDeclaration(statement)) return 'a class'
  if (ts.isVariableStatement(statement)) return 'a variable'
  if (ts.isExpressionStatement(statement)) return ts.isCallExpression(statement.expression) ? `a call to ${calleeName(ts, statement.expression) ?? 'a function'}` : 'an expression'
  if (ts.isExportDeclaration(statement)) return 're-exports'
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isModuleDeclaration(statement) || ts.isEnumDeclaration(statement)) return 'a type declaration'
  return 'a statement'
}
