// The operating system's own accounting of a process, from /proc (Linux): CPU time and memory.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): field 3 of stat(5) is index 0. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** User plus system CPU time a process has used, all its threads together, in milliseconds. */
export function cpuMs(pid) {
  const fields = statFields(pid)
  // utime and stime are fields 14 and 15 of stat(5).
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000
}

/** A process's resident memory in bytes. */
export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024
}

/** The workerd processes in the process group `group` (a detached `wrangler dev`), with their arguments. */
function workerdsOf(group) {
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (Number(statFields(entry)[2]) !== group) continue
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (args[0]?.endsWith('/workerd')) found.push({ pid: Number(entry), args })
    } catch {
      // the process ended while we looked
    }
  }
  return found
}

/** Every workerd of a `wrangler dev` (the proxy and the Worker's), by the process group of its wrangler. */
export function workerdPids(group) {
  return workerdsOf(group).map(({ pid }) => pid)
}

/**
 * The workerd that runs the Worker under `wrangler dev`, in the process group `group`: wrangler starts
 * two, a proxy on the public port and the runtime of the Worker itself, the one with an inspector.
 */
export function findWorkerRuntime(group) {
  return workerdsOf(group).find(({ args }) => args.some((arg) => arg.startsWith('--inspector-addr')))?.pid
}
