// Projects that use the package as a user's would: the tarball `npm pack` makes, installed with npm.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

const made: string[] = []

/** Removes every folder made here; use in `afterAll`. */
export function removeProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** The environment without what `npm test` adds (npm_config_*, npm_package_*...): a user's shell has none of it. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')))

export function run(command: string, args: string[], options: SpawnSyncOptions = {}): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options, env: { ...userEnv, NO_COLOR: '1', ...options.env } })
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) }
}

export interface Tarball {
  file: string
  /** Paths inside the package, as npm lists them. */
  files: string[]
  size: number
  unpackedSize: number
}

/** `npm pack` of this repository (its prepack builds dist/), into a temp folder. */
export function packTarball(): Tarball {
  const dir = tempDir('pikku-pack-')
  const packed = run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT })
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`)
  // The JSON follows the build's own output.
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf('\n[\n') + 1)) as { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[]
  return { file: join(dir, info!.filename), files: info!.files.map((f) => f.path).sort(), size: info!.size, unpackedSize: info!.unpackedSize }
}

/** The version of a package this repository has installed, so that npm's cache holds it. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

/** `name@version`, the version from the environment (the peer matrix sets PIKKU_PEER_<NAME>) or else the installed one. */
export function spec(name: string): string {
  const fromMatrix = process.env[`PIKKU_PEER_${name.replace(/\W/g, '_').toUpperCase()}`]
  return `${name}@${fromMatrix ?? installedVersion(name)}`
}

export interface Install {
  /** What `npm install` printed. */
  install: Run
  /** Whether npm's cache alone was enough. */
  offline: boolean
}

export interface Project extends Install {
  dir: string
}

/** A copy of a fixture folder with the tarball and `packages` installed. */
export function consumerProject(fixture: string, tarball: string, packages: string[]): Project {
  const dir = tempDir(`pikku-consumer-${fixture}-`)
  cpSync(join(FIXTURES, fixture), dir, { recursive: true })
  return { dir, ...installTarball(dir, tarball, packages) }
}

/**
 * `npm install` of the tarball and `packages` in `dir`: from npm's cache
 * alone (`--offline`), as on a machine that installed them before. A cache
 * that lacks a package's metadata (`npm ci` keeps only tarballs), or the peer
 * matrix's other versions, make it go to the registry for what is missing
 * (`--prefer-offline`); `offline` says which it was. Any offline failure is
 * retried so: a cold cache shows as ENOTCACHED, or as ERESOLVE when a peer's
 * metadata is missing ("Found: hono@undefined").
 */
export function installTarball(dir: string, tarball: string, packages: string[]): Install {
  const npmInstall = (mode: string) => run('npm', ['install', mode, '--no-audit', '--no-fund', tarball, ...packages], { cwd: dir })
  let install = npmInstall('--offline')
  const offline = install.status === 0
  if (!offline) install = npmInstall('--prefer-offline')
  if (install.status !== 0) throw new Error(`npm install in ${dir} failed:\n${install.stderr}`)
  if (!offline) console.info(`${dir}: npm's cache lacked some packages; fetched them from the registry`)
  return { install, offline }
}

/**
 * `tsc -p <config>` in a project: the errors in our files (the package's and
 * the project's own) and the count in other packages' declarations (with
 * skipLibCheck off, an old hono's can clash with new Workers types: not ours).
 */
export function tscErrors(dir: string, config: string): { ours: string[]; elsewhere: number } {
  const tsc = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--pretty', 'false'], { cwd: dir })
  const errors = (tsc.stdout + tsc.stderr).split('\n').filter((line) => /error TS\d+/.test(line))
  const ours = errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/pikku-durable-channels/'))
  if (ours.length < errors.length) console.info(`${config}: ${errors.length - ours.length} errors in other packages:\n${errors.filter((line) => !ours.includes(line)).join('\n')}`)
  return { ours, elsewhere: errors.length - ours.length }
}
