import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'pikku-durable-channels.mjs')
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI as a user would: `node bin/pikku-durable-channels.mjs ...args` in `cwd`. */
export function runCli(args: string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const created: string[] = []

/** A fresh directory under the OS temp dir, removed by {@link cleanup}. */
export function tempDir(prefix = 'pikku-meta-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  created.push(dir)
  return dir
}

/** Removes the directories {@link tempDir} made; use in `afterAll`. */
export function cleanup(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export interface Generated {
  dir: string
  result: CliResult
  metaText: string
  asyncapiText: string
  meta: any
  asyncapi: any
}

/** `gen --out <fresh tmp dir>` (plus `args`); throws with the CLI's stderr if it fails. */
export function generate(args: string[] = []): Generated {
  const dir = tempDir()
  const result = runCli(['gen', '--out', dir, ...args])
  if (result.status !== 0) throw new Error(`gen failed (${result.status}):\n${result.stderr}`)
  const metaText = readFileSync(join(dir, 'channels.meta.json'), 'utf8')
  const asyncapiText = readFileSync(join(dir, 'asyncapi.json'), 'utf8')
  return { dir, result, metaText, asyncapiText, meta: JSON.parse(metaText), asyncapi: JSON.parse(asyncapiText) }
}

/** Every `$ref` in a document, with the JSON path where it sits. */
export function collectRefs(value: unknown, path = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => collectRefs(item, `${path}/${i}`))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at: path }] : collectRefs(item, `${path}/${key}`),
  )
}

/** Follows a local JSON pointer (`#/a/b~1c`); undefined when it leads nowhere. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined
  let node: unknown = document
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
