// npm run bench (after run.mjs): what idle connections cost. For 1,000 and 3,000 connections to one
// room, per target (raw, ours with its defaults, PartyServer): the resident memory of the workerd
// running the Worker once they are open and after they have idled long enough to hibernate, and how
// fast they were set up (connections per second, and the server's CPU per connection).
//
// Memory is per process, and V8 keeps the heap it grew, so every measurement gets a fresh
// `wrangler dev` (bench/side-by-side/, the Worker run.mjs measures) of its own. Targets rotate
// within each round. Results in bench/results/${BENCH_OUT or memory}.{json,md}.
//
// 3,000, not the 5,000 first asked: under wrangler dev every WebSocket holds file descriptors in
// both workerd processes (the proxy and the Worker's), and this machine's hard limit of 20,000 open
// files per process stopped workerd at about 3,350 sockets ("Too many open files"), for every target.
//
// Bounded: BENCH_ROUNDS (default 2) x 2 sizes x 3 targets, each about 40 s; at most 3,000
// sockets at once, all on loopback.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const OUT = process.env.BENCH_OUT ?? 'memory'
const IDLE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 15) * 1000
const SIZES = [1000, 3000]
const TARGETS = ['raw', 'ours', 'partyserver']
const NAMES = { raw: 'raw', ours: 'ours', partyserver: 'PartyServer' }

async function measure(persistDir, kind, connections) {
  const server = await startServer('side-by-side', join(persistDir, `${kind}-${connections}-${Date.now()}`))
  try {
    const job = { target: { kind, base: server.base }, serverPid: server.workerPid, scenario: { kind: 'idle', connections, idleMs: IDLE_MS } }
    return runLoad('load.mjs', job, { timeoutMs: 180_000, what: `idle connections for ${kind} x ${connections}` })
  } finally {
    server.stop()
  }
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-memory-'))
  try {
    const samples = {}
    for (let round = 0; round < ROUNDS; round++) {
      for (const connections of SIZES) {
        for (const kind of TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length])) {
          const result = await measure(persistDir, kind, connections)
          if (result.stillOpen !== connections) throw new Error(`${kind}: only ${result.stillOpen} of ${connections} connections stayed open`)
          ;((samples[connections] ??= {})[kind] ??= []).push(result)
          console.log(`round ${round + 1}: ${kind} x ${connections}: ${mib(result.rss.idled - result.rss.before)} MiB idle, ${Math.round(result.perSecond)}/s`)
        }
      }
    }
    const results = SIZES.map((connections) => ({
      connections,
      targets: Object.fromEntries(
        TARGETS.map((kind) => {
          const runs = samples[connections][kind]
          const grown = (key) => spread(runs.map((r) => (r.rss[key] - r.rss.before) / 2 ** 20))
          return [kind, { openMiB: grown('open'), idleMiB: grown('idled'), baseMiB: spread(runs.map((r) => r.rss.before / 2 ** 20)), perSecond: spread(runs.map((r) => r.perSecond)), cpuUsPerConnection: spread(runs.map((r) => r.cpuUsPerMessage)) }]
        }),
      ),
    }))
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, idleSeconds: IDLE_MS / 1000, pinning, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }
    writeResults(OUT, { meta, results }, markdown(meta, results))
  } finally {
    rmSync(persistDir, { recursive: true, force: true })
  }
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1)

function markdown(meta, results) {
  const f = format
  const cell = (s, digits = 0) => (meta.rounds > 1 ? formatSpread(s, digits) : f(s.median, digits))
  const lines = [
    '# Idle connections: memory and setup',
    '',
    `${meta.date} · ${meta.rounds} rounds · a fresh \`wrangler dev\` per measurement · idle ${meta.idleSeconds} s before the second reading · ${meta.cores} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    "Memory is the growth of the resident set of the workerd running the Worker (`/proc/<pid>/status` VmRSS) over the same process before the first connection: once all are open, and after they idled (the object hibernates under wrangler dev after about 10 s). Per connection in KiB. Setup: connections per second with 50 opening at a time, and the server's CPU per connection. Medians (min–max) over the rounds.",
  ]
  for (const { connections, targets } of results) {
    lines.push('', `## ${f(connections)} connections to one room`, '')
    lines.push('| target | open: MiB | open: KiB per connection | idle: MiB | idle: KiB per connection | setup per second | CPU µs per connection |')
    lines.push('| --- | --- | --- | --- | --- | --- | --- |')
    for (const kind of TARGETS) {
      const t = targets[kind]
      const perConnection = (s) => ({ median: (s.median * 1024) / connections, min: (s.min * 1024) / connections, max: (s.max * 1024) / connections })
      lines.push(`| ${NAMES[kind]} | ${cell(t.openMiB, 1)} | ${cell(perConnection(t.openMiB), 1)} | ${cell(t.idleMiB, 1)} | ${cell(perConnection(t.idleMiB), 1)} | ${cell(t.perSecond)} | ${cell(t.cpuUsPerConnection)} |`)
    }
  }
  return `${lines.join('\n')}\n`
}

await main()
