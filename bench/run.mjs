// npm run bench: our channels against a raw Durable Object and PartyServer, side by side in one run.
//
// One `wrangler dev` (bench/side-by-side/) serves all the targets from one workerd: the raw object,
// PartyServer, ours with the library's defaults and ours tuned (no replay log on the fan-out topic,
// no rate limit). The same load generator (bench/load.mjs), pinned to core 1, drives one target at a
// time; every scenario row runs for every target in each round, in rotating order, so drift hits all
// of them alike. Two measures per run: throughput, and the CPU time (user + system, as the OS counts
// it for the workerd running the Worker) per message and per delivery. Medians with min and max over
// the rounds, and ratios paired within a round, in bench/results/${BENCH_OUT or latest}.{json,md}.
//
// Bounded: BENCH_ROUNDS (default 5) x 21 rows x 4 targets x BENCH_SECONDS (default 2) plus setup,
// about 20 minutes; at most 1,001 sockets at once, all on loopback.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 2) * 1000
const ONLY = process.env.BENCH_ONLY // a substring of row names, to run a subset while investigating
const OUT = process.env.BENCH_OUT ?? 'latest' // the results files' name, so a subset run does not replace the full results
const TARGETS = ['raw', 'ours', 'oursTuned', 'partyserver']
const NAMES = { raw: 'raw', ours: 'ours', oursTuned: 'ours tuned', partyserver: 'PartyServer' }

const ROWS = [
  ...[1, 50].flatMap((connections) =>
    [1, 8, 64].flatMap((inFlight) =>
      [32, 4096].map((payloadBytes) => ({
        name: `round trips: ${connections} conn, ${inFlight} in flight, ${label(payloadBytes)}`,
        group: 'Action round trips (replies per second)',
        scenario: { kind: 'roundTrips', connections, inFlight, payloadBytes },
      })),
    ),
  ),
  ...[10, 100, 1000].flatMap((subscribers) =>
    [32, 4096].map((payloadBytes) => ({
      name: `fan-out: ${subscribers} subscribers, ${label(payloadBytes)}`,
      group: 'Fan-out (deliveries per second)',
      scenario: { kind: 'fanOut', subscribers, payloadBytes },
    })),
  ),
  { name: 'connection setup: 16 at a time', group: 'Connection setup (connections per second)', scenario: { kind: 'setup', concurrency: 16 } },
  { name: 'connection churn: open, welcome, close, 16 at a time', group: 'Connection setup (connections per second)', scenario: { kind: 'churn', concurrency: 16 } },
  { name: 'connection churn with onDisconnect (on the ledger)', group: 'Connection setup (connections per second)', scenario: { kind: 'churn', concurrency: 16, lifecycle: true } },
].filter((row) => !ONLY || row.name.includes(ONLY))

function label(bytes) {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`
}

function load(server, kind, row) {
  const job = { target: { kind, base: server.base }, serverPid: server.workerPid, scenario: row.scenario, durationMs: DURATION_MS }
  return runLoad('load.mjs', job, { what: `load for ${kind} / ${row.name}` })
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-'))
  let server
  const cleanup = () => {
    server?.stop()
    rmSync(persistDir, { recursive: true, force: true })
  }
  process.on('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  try {
    server = await startServer('side-by-side', persistDir)
    if (!server.workerPid) throw new Error("found no workerd running the bench Worker: the CPU rows need its pid (Linux /proc)")
    console.log(`targets up in one workerd (pid ${server.workerPid}; ${pinning ? 'load generator pinned to core 1' : 'no core pinning available'}); ${ROUNDS} rounds x ${ROWS.length} rows x ${TARGETS.length} targets x ${DURATION_MS / 1000}s`)
    // One unmeasured pass per target, so no round pays for cold isolates and JIT warm-up.
    for (const kind of TARGETS) load(server, kind, ROWS[0])
    const samples = Object.fromEntries(ROWS.map((row) => [row.name, Object.fromEntries(TARGETS.map((t) => [t, []]))]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of ROWS) {
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length])
        for (const kind of order) samples[row.name][kind].push(load(server, kind, row))
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const results = summarize(samples)
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, secondsPerRun: DURATION_MS / 1000, pinning, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }
    // The hand-written reading of the numbers (targets met and missed, and why) goes under the tables.
    const analysis = join(ROOT, 'bench/analysis.md')
    writeResults(OUT, { meta, results }, markdown(meta, results) + (existsSync(analysis) ? `\n${readFileSync(analysis, 'utf8')}` : ''))
  } finally {
    cleanup()
  }
}

/** The CPU measure of a row: per delivery for fan-out (what grows with the room), per message otherwise. */
const cpuKey = (row) => (row.scenario.kind === 'fanOut' ? 'cpuUsPerDelivery' : 'cpuUsPerMessage')

function summarize(samples) {
  return ROWS.map((row) => {
    const byTarget = samples[row.name]
    const metric = (kind, key) => spread(byTarget[kind].map((s) => s[key]).filter((v) => typeof v === 'number' && Number.isFinite(v)))
    const targets = Object.fromEntries(
      TARGETS.map((kind) => [
        kind,
        {
          perSecond: metric(kind, 'perSecond'),
          cpuUsPerMessage: metric(kind, 'cpuUsPerMessage'),
          ...(row.scenario.kind === 'fanOut' ? { cpuUsPerDelivery: metric(kind, 'cpuUsPerDelivery') } : {}),
          ...(byTarget[kind][0].p50 !== undefined ? { p50: metric(kind, 'p50'), p99: metric(kind, 'p99') } : {}),
          loadCpu: metric(kind, 'loadCpu'),
          ...(row.scenario.kind === 'fanOut' ? { lost: byTarget[kind].reduce((sum, s) => sum + s.lost, 0), outOfOrder: byTarget[kind].reduce((sum, s) => sum + s.outOfOrder, 0) } : {}),
          ...(row.scenario.kind === 'fanOut' || row.scenario.kind === 'churn' ? { counters: byTarget[kind].map((s) => s.counters).filter(Boolean) } : {}),
        },
      ]),
    )
    // Ratios are paired by round (the targets ran back to back in one process), which cancels the machine's drift.
    const ratio = (kind, other, key) => spread(byTarget[kind].map((s, round) => s[key] / byTarget[other][round][key]))
    const ratios = {}
    for (const kind of ['ours', 'oursTuned']) {
      for (const other of ['raw', 'partyserver']) {
        ratios[`${kind}/${other}`] = { perSecond: ratio(kind, other, 'perSecond'), cpu: ratio(kind, other, cpuKey(row)) }
      }
    }
    return { row: row.name, group: row.group, scenario: row.scenario, targets, ratios }
  })
}

function markdown(meta, results) {
  const f = format
  const cell = formatSpread
  const ratio = (x) => `${f(x.median, 2)}× (${f(x.min, 2)}–${f(x.max, 2)})`
  const lines = [
    '# Benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds × ${meta.secondsPerRun}s per run · medians (min–max over the rounds) · all targets in one workerd · ${meta.pinning ? 'load generator pinned to core 1, server free' : 'no core pinning'} · ${meta.cores} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    '*Ours* runs with the library\'s defaults (replay log on, validation on; the rate limit raised out of the way). *Ours tuned* turns the fan-out topic\'s replay log and the rate limit off.',
    'CPU is user + system time of the workerd running the Worker, as the OS counts it (`/proc/<pid>/stat`), over the measured window: per reply for round trips, per delivery for fan-out, per connection for setup. Lower is better; a CPU ratio below 1 means ours costs less.',
    'Ratios are ours ÷ theirs, paired by round (the targets run back to back in each round, in one process): median (min–max).',
  ]
  const headers = ['raw', 'ours', 'oursTuned', 'partyserver']
  for (const group of [...new Set(results.map((r) => r.group))]) {
    const rows = results.filter((r) => r.group === group)
    const fanOut = rows[0].scenario.kind === 'fanOut'
    const unit = fanOut ? 'µs per delivery' : rows[0].scenario.kind === 'roundTrips' ? 'µs per reply' : 'µs per connection'
    lines.push('', `## ${group}`, '', `### CPU (${unit})`, '')
    lines.push(`| scenario | ${headers.map((k) => NAMES[k]).join(' | ')} | ours ÷ raw | ours ÷ PartyServer | tuned ÷ raw | tuned ÷ PartyServer |`)
    lines.push(`| --- |${' --- |'.repeat(headers.length + 4)}`)
    for (const r of rows) {
      const key = fanOut ? 'cpuUsPerDelivery' : 'cpuUsPerMessage'
      lines.push(`| ${r.row} | ${headers.map((k) => cell(r.targets[k][key], 1)).join(' | ')} | ${['ours/raw', 'ours/partyserver', 'oursTuned/raw', 'oursTuned/partyserver'].map((k) => ratio(r.ratios[k].cpu)).join(' | ')} |`)
    }
    const latency = rows[0].targets.ours.p50 !== undefined
    lines.push('', `### Throughput (${group.replace(/.*\((.*)\)/, '$1')})`, '')
    lines.push(`| scenario | ${headers.map((k) => NAMES[k]).join(' | ')} | ours ÷ raw | ours ÷ PartyServer | tuned ÷ raw | tuned ÷ PartyServer |${latency ? ' p50 / p99 ms raw · ours · tuned · PartyServer |' : ''}`)
    lines.push(`| --- |${' --- |'.repeat(headers.length + 4 + (latency ? 1 : 0))}`)
    for (const r of rows) {
      const lat = latency ? ` ${headers.map((k) => `${f(r.targets[k].p50.median, 2)} / ${f(r.targets[k].p99.median, 2)}`).join(' · ')} |` : ''
      lines.push(`| ${r.row} | ${headers.map((k) => cell(r.targets[k].perSecond)).join(' | ')} | ${['ours/raw', 'ours/partyserver', 'oursTuned/raw', 'oursTuned/partyserver'].map((k) => ratio(r.ratios[k].perSecond)).join(' | ')} |${lat}`)
    }
    const average = (counters, key) => counters.reduce((total, c) => total + (c?.[key] ?? 0), 0) / Math.max(1, counters.length)
    for (const r of rows.filter((r) => r.scenario.kind === 'churn')) {
      lines.push('', `${r.row.replace(/:.*/, '')}, counted in the bench build: ${f(average(r.targets.ours.counters, 'sqlWritesPerConnection'), 2)} storage writes per connection opened and closed.`)
    }
    if (fanOut) {
      lines.push('', 'Deliveries lost and out of order (all rounds): ' + rows.map((r) => `${r.row.replace('fan-out: ', '')}: ${headers.map((k) => `${NAMES[k]} ${r.targets[k].lost}/${r.targets[k].outOfOrder}`).join(', ')}`).join('; ') + '.')
      lines.push('', 'Our publish path, counted in the bench build (per publish, averaged over the measured runs): ' + rows.map((r) => {
        const per = (kind) => `${f(average(r.targets[kind].counters, 'sqlStatementsPerPublish'), 3)} SQLite statements (${f(average(r.targets[kind].counters, 'sqlWritesPerPublish'), 3)} writes)`
        return `${r.row.replace('fan-out: ', '')}: defaults ${per('ours')}, tuned ${per('oursTuned')}, ${f(average(r.targets.ours.counters, 'fullSocketScansPerPublish'), 4)} full socket scans`
      }).join('; ') + '.')
    }
  }
  return `${lines.join('\n')}\n`
}

await main()
