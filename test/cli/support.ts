import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SOURCE_CONDITION } from '../../src/cli/library'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'pikku-durable-channels.mjs')
export const PROJECT_FIXTURE = fileURLToPath(new URL('./fixtures/watch-project/', import.meta.url))
/** A Worker that imports the adapter only through `#pikku/*`, with services, a session type and topics. */
export const TYPED_FIXTURE = fileURLToPath(new URL('./fixtures/typed-project/', import.meta.url))
/** Breaks each of `check`'s rules once. */
export const BAD_WIRINGS = fileURLToPath(new URL('./fixtures/bad-wirings/', import.meta.url))
export const TSC = join(ROOT, 'node_modules', '.bin', 'tsc')

/**
 * For wrangler in a temp project that links this repository: bundle the
 * package from its sources (wrangler's own conditions, plus the one that
 * points `exports` at `src/`), as the CLI does, so no build is needed.
 */
export const WRANGLER_FROM_SOURCE = { WRANGLER_BUILD_CONDITIONS: [SOURCE_CONDITION, 'workerd', 'worker', 'browser'].join(',') }

/**
 * For tests that spawn the CLI: one run takes 0.3 to 2 s (tsx, plus over a
 * second to import wrangler when it reads the config), a test may run
 * several, and a loaded machine is slower. Vitest's default is 5 s.
 */
export const CLI_TIMEOUT = { timeout: 60_000 }

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

/** A CLI process left running (watch), its output collected as it comes. */
export interface RunningCli {
  child: ChildProcess
  output: { stdout: string; stderr: string }
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** `env` adds to the test's own environment (watch tests give it a TMPDIR of their own). */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const output = { stdout: '', stderr: '' }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { child, output, exited }
}

/** Polls `check` until it returns a value other than undefined; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const created: string[] = []

/** A fresh directory under the OS temp dir, removed by {@link cleanup}. */
export function tempDir(prefix = 'pikku-cli-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  created.push(dir)
  return dir
}

/** Removes the directories {@link tempDir} made; use in `afterAll`. */
export function cleanup(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/**
 * A copy of a fixture project in a temp dir. Its `pikku-durable-channels`
 * is a symlink to this repository, so the copy bundles the same registry
 * module as the CLI, as an installed package would; `links` names more
 * packages to link from this repository's node_modules (for type checks).
 */
export function tempProject(fixture = PROJECT_FIXTURE, links: string[] = []): string {
  const dir = tempDir('pikku-cli-project-')
  cpSync(fixture, dir, { recursive: true })
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'pikku-durable-channels'), 'dir')
  for (const name of links) {
    mkdirSync(join(dir, 'node_modules', name, '..'), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
  }
  return dir
}

/**
 * Like {@link tempProject}, but its pikku-durable-channels is a copy of this
 * one's sources (its own dependencies linked), as when a Worker and the CLI
 * come from two installs.
 */
export function tempProjectWithOwnCopy(): string {
  const dir = tempDir('pikku-cli-project-')
  cpSync(PROJECT_FIXTURE, dir, { recursive: true })
  const copy = join(dir, 'node_modules', 'pikku-durable-channels')
  mkdirSync(copy, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'))
  cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true })
  for (const dependency of ['hono', 'valibot', '@valibot']) symlinkSync(join(ROOT, 'node_modules', dependency), join(dir, 'node_modules', dependency), 'dir')
  return dir
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
export function generate(args: string[] = [], cwd = ROOT): Generated {
  const dir = tempDir()
  const result = runCli(['gen', '--out', dir, ...args], cwd)
  if (result.status !== 0) throw new Error(`gen failed (${result.status}):\n${result.stderr}`)
  const metaText = readFileSync(join(dir, 'channels.meta.json'), 'utf8')
  const asyncapiText = readFileSync(join(dir, 'asyncapi.json'), 'utf8')
  return { dir, result, metaText, asyncapiText, meta: JSON.parse(metaText), asyncapi: JSON.parse(asyncapiText) }
}
