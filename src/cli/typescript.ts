// The TypeScript compiler, loaded only by the commands that read source syntax (gen, watch, info, check).
import type * as TS from 'typescript'
import { CliError, describeError } from './errors'

export type TypeScript = typeof TS

let loaded: Promise<TypeScript> | undefined

/** Loads the compiler's module; a parameter so tests can stand in for a missing typescript. */
export type LoadTypeScript = () => Promise<unknown>

const importTypeScript: LoadTypeScript = () => import('typescript')

/**
 * The user's `typescript` package (a peer, as wrangler is): only its parser
 * is used, never a program. Loaded on first use and once, so `--help` and
 * usage errors stay fast; `purpose` says in the message why it is needed.
 */
export function loadTypeScript(purpose: string, load = importTypeScript): Promise<TypeScript> {
  if (load !== importTypeScript) return compiler(load, purpose)
  loaded ??= compiler(load, purpose).catch((error: unknown) => {
    loaded = undefined
    throw error
  })
  return loaded
}

async function compiler(load: LoadTypeScript, purpose: string): Promise<TypeScript> {
  let module: unknown
  try {
    module = await load()
  } catch (error) {
    throw new CliError(`${purpose} needs the typescript package, which could not be loaded (${describeError(error)}); install it in your project: npm install --save-dev typescript`)
  }
  return ((module as { default?: TypeScript }).default ?? module) as TypeScript
}

/** Parses one file (no type checking, no imports followed). */
export function parse(ts: TypeScript, file: string, text: string): TS.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
}

/** 1-based line and column of a node's first token. */
export function position(source: TS.SourceFile, node: TS.Node): { line: number; column: number } {
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source))
  return { line: line + 1, column: character + 1 }
}

/** The called name: `wireChannel` for `wireChannel(...)` and for `pikku.wireChannel(...)`. */
export function calleeName(ts: TypeScript, call: TS.CallExpression): string | undefined {
  const callee = call.expression
  if (ts.isIdentifier(callee)) return callee.text
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text
  return undefined
}
