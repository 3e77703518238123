// The bench's servers: a `wrangler dev` of a Worker folder (bench/<kind>/wrangler.toml), on 127.0.0.1.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findWorkerRuntime } from './proc.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

export async function startServer(kind, persistDir) {
  const port = await freePort()
  const inspector = await freePort()
  const wrangler = join(ROOT, 'node_modules/.bin/wrangler')
  const args = ['dev', '--config', join(ROOT, 'bench', kind, 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', join(persistDir, kind), '--log-level', 'warn', '--show-interactive-dev-session=false']
  // Servers are not pinned: a wrangler dev is wrangler, a workerd proxy and the Worker's workerd,
  // and squeezing them onto one core made every target several times slower and far noisier.
  const [command, commandArgs] = [wrangler, args]
  const child = spawn(command, commandArgs, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' } })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev for ${kind} exited:\n${output}`)
    try {
      await fetch(base, { signal: AbortSignal.timeout(1000) })
      // pid: the process group (detached), in which the workerd processes run too; workerPid: the one running the Worker.
      let workerPid = findWorkerRuntime(child.pid)
      return {
        kind,
        base: base.replace('http', 'ws'),
        pid: child.pid,
        // Found again if it is gone: wrangler restarts the Worker's workerd when a file it bundled changes.
        get workerPid() {
          if (workerPid === undefined || !existsSync(`/proc/${workerPid}`)) workerPid = findWorkerRuntime(child.pid)
          return workerPid
        },
        inspectorPort: inspector,
        stop: () => kill(child),
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  kill(child)
  throw new Error(`wrangler dev for ${kind} did not start:\n${output}`)
}

function kill(child) {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // gone
  }
}
