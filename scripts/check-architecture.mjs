// The layering of src/, checked in `npm test`: no import cycles (type-only
// imports included: a cycle of types still says two files define one concept
// between them), and each layer imports only the layers below it.
//
// Usage: node scripts/check-architecture.mjs [srcDir]   (exit 1 on any finding)
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * Who may import whom, by path under src/ (first matching rule wins).
 * `runtime` lists what a file may import at runtime; `types` what it may
 * import with `import type`. A prefix ending in `/` is a folder.
 */
export const LAYERS = [
  { files: 'core/types.ts', runtime: [], types: ['core/'] },
  { files: 'core/protocol/', runtime: ['core/protocol/', 'core/errors.ts', 'core/truncate.ts'], types: ['core/protocol/', 'core/errors.ts'] },
  // Binary streams: the ends run in browsers, Node and Workers alike, so they stay as portable as the protocol.
  { files: 'core/streams/', runtime: ['core/streams/', 'core/protocol/', 'core/bytes.ts'], types: ['core/streams/', 'core/protocol/'] },
  { files: 'core/', runtime: ['core/'], types: ['core/'] },
  { files: 'client/', runtime: ['client/', 'core/protocol/', 'core/streams/'], types: ['client/', 'core/'] },
  { files: 'meta/', runtime: ['meta/', 'core/'], types: ['meta/', 'core/'] },
  { files: 'cloudflare/', runtime: ['cloudflare/', 'core/'], types: ['cloudflare/', 'core/'] },
  { files: 'cli/', runtime: ['cli/', 'meta/', 'core/'], types: ['cli/', 'meta/', 'core/'] },
  { files: '', runtime: [''], types: [''] },
]

/** Bare imports only the Cloudflare shell may make. */
const SHELL_ONLY_PACKAGES = ['cloudflare:workers']

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : []
  })
}

/** Every import and re-export of a file, with whether it is type-only and its line. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found = []
  const add = (node, specifier, typeOnly) => found.push({ specifier, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 })
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const elements = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined
      const typeOnly = Boolean(clause && (clause.isTypeOnly || (!clause.name && elements && elements.length > 0 && elements.every((e) => e.isTypeOnly))))
      add(node, node.moduleSpecifier.text, typeOnly)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const elements = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined
      add(node, node.moduleSpecifier.text, node.isTypeOnly || Boolean(elements && elements.length > 0 && elements.every((e) => e.isTypeOnly)))
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node, node.arguments[0].text, false)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text, true)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function resolveRelative(from, specifier, known) {
  const base = resolve(dirname(from), specifier.replace(/\.m?js$/, ''))
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => known.has(candidate))
}

const allowed = (target, prefixes) => prefixes.some((prefix) => (prefix.endsWith('/') || prefix === '' ? target.startsWith(prefix) : target === prefix))

/** Checks a source tree; returns findings as `file:line message` lines (empty when the shape holds). */
export function checkArchitecture(srcDir) {
  const root = resolve(srcDir)
  const files = sourceFiles(root)
  const known = new Set(files)
  const name = (file) => relative(root, file).split(sep).join('/')
  const findings = []
  const edges = new Map()
  for (const file of files) {
    const from = name(file)
    const layer = LAYERS.find((l) => l.files === '' || (l.files.endsWith('/') ? from.startsWith(l.files) : from === l.files))
    const out = new Set()
    for (const { specifier, typeOnly, line } of importsOf(file)) {
      if (!specifier.startsWith('.')) {
        if (SHELL_ONLY_PACKAGES.includes(specifier) && !from.startsWith('cloudflare/') && from !== 'index.ts') findings.push(`${from}:${line} imports ${specifier}, which only src/cloudflare/ may use`)
        continue
      }
      const target = resolveRelative(file, specifier, known)
      if (!target) continue
      const to = name(target)
      out.add(target)
      if (!allowed(to, typeOnly ? layer.types : layer.runtime)) findings.push(`${from}:${line} ${typeOnly ? 'imports types from' : 'imports'} ${to}, which its layer (${layer.files || 'src/'}) may not depend on`)
    }
    edges.set(file, out)
  }
  for (const cycle of cycles(files, edges)) findings.push(`cycle: ${cycle.map(name).join(' -> ')}`)
  return findings
}

/** Strongly connected components of two or more files (Tarjan), each as a list of files. */
function cycles(files, edges) {
  let next = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  const visit = (v) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) !== index.get(v)) return
    const component = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (edges.get(v) ?? new Set()).has(v)) found.push(component.reverse())
  }
  for (const file of files) if (!index.has(file)) visit(file)
  return found
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
  const findings = checkArchitecture(dir)
  for (const finding of findings) console.error(finding)
  if (findings.length > 0) {
    console.error(`\n${findings.length} architecture finding(s) in ${relative(process.cwd(), dir) || '.'}: see scripts/check-architecture.mjs for the layers`)
    process.exit(1)
  }
  console.log(`architecture: ${sourceFiles(resolve(dir)).length} files, no cycles, layers hold`)
}
