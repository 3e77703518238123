// npm run bench: our channels against a raw Durable Object and PartyServer, side by side in one run.
//
// Starts one `wrangler dev` per target on 127.0.0.1 and drives each with the same load generator
// (bench/load.mjs), pinned to core 1. Every scenario row runs for every target in each
// round, targets in rotating order, so drift hits all of them alike. Reports medians with min and max
// over the rounds and ratios to raw and to PartyServer, in bench/results/latest.{json,md}.
//
// Bounded: BENCH_ROUNDS (default 5) x 19 rows x 3 targets x BENCH_SECONDS (default 2) plus setup,
// about 20 minutes; at most 1,001 sockets at once, all on loopback.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinning, runLoad, spread } from './harness.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 2) * 1000
const ONLY = process.env.BENCH_ONLY // a substring of row names, to run a subset while investigating
const OUT = process.env.BENCH_OUT ?? 'latest' // the results files' name, so a subset run does not replace the full results
const TARGETS = ['raw', 'ours', 'partyserver']


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

function load(target, row) {
  const job = { target: { kind: target.kind, base: target.base }, scenario: row.scenario, durationMs: DURATION_MS }
  return runLoad('load.mjs', job, { what: `load for ${target.kind} / ${row.name}` })
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-'))
  const servers = {}
  const cleanup = () => {
    for (const server of Object.values(servers)) server.stop()
    rmSync(persistDir, { recursive: true, force: true })
  }
  process.on('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  try {
    for (const kind of TARGETS) servers[kind] = await startServer(kind, persistDir)
    console.log(`targets up (${pinning ? 'load generator pinned to core 1' : 'no core pinning available'}); ${ROUNDS} rounds x ${ROWS.length} rows x ${DURATION_MS / 1000}s`)
    // One unmeasured pass per target, so no round pays for cold isolates and JIT warm-up.
    for (const kind of TARGETS) load(servers[kind], ROWS[0])
    const samples = Object.fromEntries(ROWS.map((row) => [row.name, Object.fromEntries(TARGETS.map((t) => [t, []]))]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of ROWS) {
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length])
        for (const kind of order) samples[row.name][kind].push(load(servers[kind], row))
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const results = summarize(samples)
    const resultsDir = join(ROOT, 'bench/results')
    mkdirSync(resultsDir, { recursive: true })
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, secondsPerRun: DURATION_MS / 1000, pinning, cpu: cpus()[0]?.model, node: process.version }
    writeFileSync(join(resultsDir, `${OUT}.json`), `${JSON.stringify({ meta, results }, null, 2)}\n`)
    // The hand-written reading of the numbers (targets met and missed, and why) goes under the tables.
    const analysis = join(ROOT, 'bench/analysis.md')
    const report = markdown(meta, results) + (existsSync(analysis) ? `\n${readFileSync(analysis, 'utf8')}` : '')
    writeFileSync(join(resultsDir, `${OUT}.md`), report)
    console.log(report)
  } finally {
    cleanup()
  }
}

function summarize(samples) {
  return ROWS.map((row) => {
    const byTarget = samples[row.name]
    const metric = (kind, key) => spread(byTarget[kind].map((s) => s[key]).filter((v) => typeof v === 'number'))
    const targets = Object.fromEntries(
      TARGETS.map((kind) => [
        kind,
        {
          perSecond: metric(kind, 'perSecond'),
          ...(byTarget[kind][0].p50 !== undefined ? { p50: metric(kind, 'p50'), p99: metric(kind, 'p99') } : {}),
          loadCpu: metric(kind, 'loadCpu'),
          ...(row.scenario.kind === 'fanOut' ? { lost: byTarget[kind].reduce((sum, s) => sum + s.lost, 0), outOfOrder: byTarget[kind].reduce((sum, s) => sum + s.outOfOrder, 0) } : {}),
        },
      ]),
    )
    const counters = row.scenario.kind === 'fanOut' || row.scenario.kind === 'churn' ? byTarget.ours.map((s) => s.counters) : undefined
    // Ratios are paired by round (the targets ran back to back), which cancels the machine's drift.
    const ratio = (other) => spread(byTarget.ours.map((s, round) => s.perSecond / byTarget[other][round].perSecond))
    return { row: row.name, group: row.group, scenario: row.scenario, targets, vsRaw: ratio('raw'), vsPartyServer: ratio('partyserver'), counters }
  })
}

function markdown(meta, results) {
  const f = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))
  const cell = (s) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`
  const lines = [
    '# Benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds × ${meta.secondsPerRun}s per run · medians (min–max over the rounds) · ${meta.pinning ? 'load generator pinned to core 1, servers free' : 'no core pinning'} · ${cpus().length} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    'Ratios are ours ÷ theirs, paired by round (the three targets run back to back in each round): median (min–max).',
  ]
  for (const group of [...new Set(results.map((r) => r.group))]) {
    const rows = results.filter((r) => r.group === group)
    const latency = rows[0].targets.ours.p50 !== undefined
    lines.push('', `## ${group}`, '')
    lines.push(`| scenario | raw | ours | PartyServer | ours ÷ raw | ours ÷ PartyServer |${latency ? ' p50 / p99 ms raw · ours · PartyServer |' : ''} load CPU ours |`)
    lines.push(`| --- | --- | --- | --- | --- | --- |${latency ? ' --- |' : ''} --- |`)
    for (const r of rows) {
      const t = r.targets
      const lat = latency ? ` ${['raw', 'ours', 'partyserver'].map((k) => `${f(t[k].p50.median, 2)} / ${f(t[k].p99.median, 2)}`).join(' · ')} |` : ''
      const ratio = (x) => `${f(x.median, 2)}× (${f(x.min, 2)}–${f(x.max, 2)})`
      lines.push(`| ${r.row} | ${cell(t.raw.perSecond)} | ${cell(t.ours.perSecond)} | ${cell(t.partyserver.perSecond)} | ${ratio(r.vsRaw)} | ${ratio(r.vsPartyServer)} |${lat} ${f(t.ours.loadCpu.median * 100)}% |`)
    }
    const churn = rows.filter((r) => r.scenario.kind === 'churn' && r.counters)
    for (const r of churn) {
      const writes = r.counters.reduce((total, c) => total + (c?.sqlWritesPerConnection ?? 0), 0) / r.counters.length
      lines.push('', `Our ${r.row.replace(/:.*/, '')}, counted in the bench build: ${f(writes, 2)} storage writes per connection opened and closed.`)
    }
    const fanOut = rows.filter((r) => r.scenario.kind === 'fanOut' && r.counters)
    if (fanOut.length) {
      lines.push('', 'Deliveries lost (all rounds): ' + fanOut.map((r) => `${r.row.replace('fan-out: ', '')}: raw ${r.targets.raw.lost}, ours ${r.targets.ours.lost}, PartyServer ${r.targets.partyserver.lost}`).join('; ') + '.')
      lines.push('', 'Our publish path, counted in the bench build (per publish, over every measured run): ' + fanOut.map((r) => {
        const sum = (key) => r.counters.reduce((total, c) => total + (c?.[key] ?? 0), 0) / r.counters.length
        return `${r.row.replace('fan-out: ', '')}: ${f(sum('sqlWritesPerPublish'), 4)} storage writes, ${f(sum('fullSocketScansPerPublish'), 4)} full socket scans`
      }).join('; ') + '.')
    }
  }
  return `${lines.join('\n')}\n`
}

await main()
