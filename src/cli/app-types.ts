// Where the app's services and session types are declared, found by parsing its files (never by running them).
import { readFileSync } from 'node:fs'
import type * as TS from 'typescript'
import { CliError } from './errors'
import { display } from './paths'
import { calleeName, parse, position, type TypeScript } from './typescript'

/** The library's `Register` keys the generated types file can declare. */
export type RegisterKey = 'services' | 'session' | 'topics'

export interface AppTypes {
  /** The module whose export is `pikkuServices(...)`'s result: `services` is typed from its return. */
  services: { file: string; exportName: string } | undefined
  /** The module that exports the session type (`UserSession`, as Pikku names it). */
  session: { file: string; typeName: string } | undefined
  /** `Register` keys the app declares itself (`declare module 'pikku-durable-channels'`): the generated file leaves them to it. */
  declared: RegisterKey[]
  /** Things that look meant but cannot be used, e.g. an unexported `pikkuServices(...)`. */
  warnings: string[]
}

export const SESSION_TYPE = 'UserSession'
const LIBRARY = 'pikku-durable-channels'
const REGISTER_KEYS: readonly RegisterKey[] = ['services', 'session', 'topics']

interface Found {
  services: { file: string; exportName: string; at: string }[]
  session: { file: string; at: string }[]
  declared: Set<RegisterKey>
  warnings: string[]
}

/**
 * Scans `files` (TypeScript sources, `.d.ts` included) for:
 * - `export const <name> = pikkuServices(...)` or `export default pikkuServices(...)`;
 * - `export interface UserSession` or `export type UserSession = ...`;
 * - `declare module 'pikku-durable-channels' { interface Register { ... } }`.
 * Finding two of the first or the second is an error: the generated file
 * could not know which one the app means.
 */
export function findAppTypes(ts: TypeScript, files: string[], cwd: string): AppTypes {
  const found: Found = { services: [], session: [], declared: new Set(), warnings: [] }
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    // Most files mention none of these: not parsing them keeps gen fast on big projects.
    if (!/pikkuServices|UserSession|Register/.test(text)) continue
    scanFile(ts, parse(ts, file, text), found, cwd)
  }
  if (found.services.length > 1) {
    throw new CliError(`pikkuServices(...) is exported from more than one module (${found.services.map((s) => s.at).join(', ')}); an app has one services factory, keep one`)
  }
  if (found.session.length > 1) {
    throw new CliError(`${SESSION_TYPE} is exported from more than one module (${found.session.map((s) => s.at).join(', ')}); keep one, so the generated types know the session`)
  }
  const [services] = found.services
  const [session] = found.session
  return {
    services: services && { file: services.file, exportName: services.exportName },
    session: session && { file: session.file, typeName: SESSION_TYPE },
    declared: REGISTER_KEYS.filter((key) => found.declared.has(key)),
    warnings: found.warnings,
  }
}

function scanFile(ts: TypeScript, source: TS.SourceFile, found: Found, cwd: string): void {
  const file = source.fileName
  const at = (node: TS.Node) => `${display(file, cwd)}:${position(source, node).line}`
  const exported = new Set<TS.Node>()
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && isExported(ts, statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer && isServicesCall(ts, declaration.initializer)) {
          found.services.push({ file, exportName: declaration.name.text, at: at(declaration) })
          exported.add(declaration.initializer)
        }
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals && isServicesCall(ts, statement.expression)) {
      found.services.push({ file, exportName: 'default', at: at(statement) })
      exported.add(statement.expression)
    } else if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name.text === SESSION_TYPE && isExported(ts, statement)) {
      found.session.push({ file, at: at(statement) })
    } else if (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name) && statement.name.text === LIBRARY) {
      for (const key of registerKeys(ts, statement)) found.declared.add(key)
    }
  }
  // A call that is not one of the exports above: the generated types cannot refer to its result.
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && calleeName(ts, node) === 'pikkuServices' && !exported.has(node)) {
      found.warnings.push(
        `${at(node)}: pikkuServices(...) is not exported, so the generated types cannot type your services from it; write export const createServices = pikkuServices(...)`,
      )
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}

function isServicesCall(ts: TypeScript, expression: TS.Expression): expression is TS.CallExpression {
  return ts.isCallExpression(expression) && calleeName(ts, expression) === 'pikkuServices'
}

function isExported(ts: TypeScript, node: TS.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)
}

/** The property names of `interface Register` inside `declare module 'pikku-durable-channels' { ... }`. */
function registerKeys(ts: TypeScript, declaration: TS.ModuleDeclaration): RegisterKey[] {
  const body = declaration.body
  if (!body || !ts.isModuleBlock(body)) return []
  return body.statements.flatMap((statement) => {
    if (!ts.isInterfaceDeclaration(statement) || statement.name.text !== 'Register') return []
    return statement.members.flatMap((member) => {
      const name = member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined
      return name !== undefined && (REGISTER_KEYS as readonly string[]).includes(name) ? [name as RegisterKey] : []
    })
  })
}
