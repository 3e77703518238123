import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root: where wrangler.toml lives. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

const READY_TIMEOUT_MS = 45_000
const STOP_TIMEOUT_MS = 5_000
/** Only the tail of the output is kept, for error messages. */
const OUTPUT_LIMIT = 20_000

/** A free TCP port on 127.0.0.1, as the OS hands them out. */
/** Ports below Linux's ephemeral range (32768-60999 by default), where outgoing connections never land. */
const LISTEN_PORTS = { from: 20_000, to: 32_000 }

/**
 * A free port to listen on, chosen below the ephemeral range: a server restarted
 * on the same port (the crash tests) would otherwise find it taken by some
 * client's outgoing connection in between ("Address already in use").
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LISTEN_PORTS.from + Math.floor(Math.random() * (LISTEN_PORTS.to - LISTEN_PORTS.from))
    if (await canListen(port)) return port
  }
  throw new Error(`freePort: no free port in ${LISTEN_PORTS.from}-${LISTEN_PORTS.to} after 50 tries`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

export interface DevServerOptions {
  /** Port to listen on; a free one by default. Kept across restarts. */
  port?: number
  /** `--persist-to` directory; a fresh temp dir by default (removed by `dispose`). Kept across restarts. */
  persistTo?: string
  /** Also append everything wrangler prints to this file (for tests in other processes to read). */
  logFile?: string
  /** A wrangler config other than the reference app's (`wrangler.toml` at the root), relative to the root. */
  config?: string
  /** Another project to serve, with its own wrangler installed: a consumer of the packed package. */
  cwd?: string
}

/**
 * `wrangler dev` for the reference app, on 127.0.0.1. `start` waits until it
 * answers HTTP; `stop` kills its whole process group (wrangler and workerd);
 * `start` again comes back on the same port with the same persisted state.
 */
export class DevServer {
  #child: ChildProcess | undefined
  #exited: Promise<void> | undefined
  #output = ''
  #ownsPersistDir = false
  port = 0
  persistTo = ''

  constructor(private readonly options: DevServerOptions = {}) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Everything wrangler printed so far (the tail of it). */
  get output(): string {
    return this.#output.replace(/\x1b\[[0-9;]*m/g, '')
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('DevServer.start: already running')
    const cwd = this.options.cwd ?? PROJECT_ROOT
    const wrangler = join(cwd, 'node_modules/.bin/wrangler')
    if (!existsSync(wrangler)) throw new Error(`wrangler is not installed at ${wrangler}; run npm install`)
    if (!this.port) this.port = this.options.port ?? (await freePort())
    if (!this.persistTo) {
      if (this.options.persistTo) this.persistTo = this.options.persistTo
      else {
        this.persistTo = await mkdtemp(join(tmpdir(), 'pikku-e2e-'))
        this.#ownsPersistDir = true
      }
    }
    // Two servers at once (the restart test) must not fight over the default inspector port.
    const inspectorPort = await freePort()
    const args = [
      'dev',
      '--ip', '127.0.0.1',
      '--port', String(this.port),
      '--inspector-port', String(inspectorPort),
      '--persist-to', this.persistTo,
      '--show-interactive-dev-session=false',
      '--log-level', 'info',
      ...(this.options.config ? ['--config', this.options.config] : []),
    ]
    this.#output = ''
    const child = spawn(wrangler, args, {
      cwd,
      // Its own process group, so stop() reaches workerd too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
    })
    this.#child = child
    // If the test run dies without its teardown, take wrangler and workerd along.
    const orphanGuard = () => killGroup(-child.pid!, 'SIGKILL')
    process.once('exit', orphanGuard)
    this.#exited = new Promise((done) =>
      child.once('exit', () => {
        process.removeListener('exit', orphanGuard)
        done()
      }),
    )
    const logFile = this.options.logFile
    const collect = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_LIMIT)
      if (logFile) appendFileSync(logFile, chunk)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    const status: { exit?: string } = {}
    child.once('exit', (code, signal) => (status.exit = signal ?? `code ${code}`))

    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (status.exit !== undefined) {
        this.#child = undefined
        throw new Error(`wrangler dev exited (${status.exit}) before it was ready:\n${this.output}`)
      }
      if (this.#output.includes('Ready on') && (await this.#answers())) return
      await sleep(150)
    }
    const output = this.output
    await this.stop()
    throw new Error(`wrangler dev did not become ready on port ${this.port} within ${READY_TIMEOUT_MS} ms:\n${output}`)
  }

  /** Kills wrangler and workerd (SIGTERM, then SIGKILL), and waits for wrangler to exit and the port to close. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child
    if (!child) return
    this.#child = undefined
    const group = -child.pid!
    killGroup(group, signal)
    const exited = await Promise.race([this.#exited!.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)])
    // Whatever is left of the group (workerd outlives wrangler on a hard kill) goes too.
    killGroup(group, 'SIGKILL')
    if (!exited) await Promise.race([this.#exited, sleep(STOP_TIMEOUT_MS)])
    // The port must be free before a restart can bind it again.
    const deadline = Date.now() + STOP_TIMEOUT_MS
    while (Date.now() < deadline && (await this.#answers())) await sleep(100)
  }

  /** Freezes wrangler and workerd (SIGSTOP): sockets stay open, nothing answers. */
  pause(): void {
    if (this.#child) killGroup(-this.#child.pid!, 'SIGSTOP')
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    if (this.#child) killGroup(-this.#child.pid!, 'SIGCONT')
  }

  /** Stops the server and removes the persist dir if this server created it. */
  async dispose(): Promise<void> {
    await this.stop()
    if (this.#ownsPersistDir && this.persistTo) await rm(this.persistTo, { recursive: true, force: true })
  }

  /** Whether the server answers an HTTP request at all. */
  async #answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/__e2e_ready`, { signal: AbortSignal.timeout(1_000) })
      await response.arrayBuffer()
      return true
    } catch {
      return false
    }
  }
}

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal)
  } catch {
    // Already gone.
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))

/** A log file's size now, and later what was written after that point: to explain a failure with what the server said meanwhile. */
export function logMark(file: string): () => string {
  const size = (() => {
    try {
      return statSync(file).size
    } catch {
      return 0
    }
  })()
  return () => {
    try {
      return readFileSync(file).subarray(size).toString()
    } catch {
      return ''
    }
  }
}
