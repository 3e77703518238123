// npm run bench (after presence.mjs): one room spread over 4 objects (4 shards x 500 subscribers),
// against the same room on one object in the same run (2,000 subscribers, and 500: one shard's share).
//
// A fresh `wrangler dev` (bench/shards/) per run; the load pinned to core 1 as in run.mjs. Per run:
// the subscribers connect (placed evenly over the shards by the user they sign in as) and subscribe
// to one topic, then one publisher (on shard 1 when there are shards, so each publish goes shard ->
// owner -> every shard) keeps 4 publishes outstanding for BENCH_SECONDS. Deliveries per second,
// publish-to-receive p50/p99 (one process's clock at both ends), and every subscriber's sequence
// numbers checked for loss, gaps and duplicates. Each round runs every mode, in rotating order.
// Results in bench/results/${BENCH_OUT or shards}.{json,md}, then SCALING.md reads them.
//
// Bounded: BENCH_ROUNDS (default 2) x 3 modes, at most 2,001 sockets at once, all on loopback;
// a few minutes.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { workerdPids } from './proc.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const OUT = process.env.BENCH_OUT ?? 'shards'
const MODES = [
  { name: '4 shards x 500 subscribers', shards: 4, subscribers: 2000 },
  { name: 'one object, 2,000 subscribers', shards: 1, subscribers: 2000 },
  { name: 'one object, 500 subscribers', shards: 1, subscribers: 500 },
]

let runs = 0

async function measure(persistDir, row) {
  const server = await startServer('shards', join(persistDir, String(runs++)))
  try {
    const job = { base: server.base, shards: row.shards, subscribers: row.subscribers, durationMs: SECONDS * 1000, pids: workerdPids(server.pid) }
    return runLoad('shards-load.mjs', job, { timeoutMs: 180_000, what: `shards load for ${row.name}` })
  } finally {
    server.stop()
  }
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-shards-'))
  try {
    console.log(`shards: ${pinning ? 'load pinned to core 1' : 'no core pinning'}; ${ROUNDS} rounds x ${MODES.length} modes, ${SECONDS} s each, a fresh server for each`)
    const samples = Object.fromEntries(MODES.map((row) => [row.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const row = MODES[(i + round) % MODES.length]
        samples[row.name].push(await measure(persistDir, row))
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const sum = (name, get) => samples[name].reduce((total, s) => total + get(s), 0)
    const results = MODES.map((row) => ({
      row: row.name,
      shards: row.shards,
      subscribers: row.subscribers,
      perShard: samples[row.name][0].perShard,
      deliveriesPerSecond: spread(samples[row.name].map((s) => s.deliveriesPerSecond)),
      publishesPerSecond: spread(samples[row.name].map((s) => s.publishesPerSecond)),
      p50: spread(samples[row.name].map((s) => s.p50)),
      p99: spread(samples[row.name].map((s) => s.p99)),
      setupPerSecond: spread(samples[row.name].map((s) => s.setupPerSecond)),
      loadCpu: spread(samples[row.name].map((s) => s.loadCpu)),
      serverCpuPerDeliveryUs: spread(samples[row.name].map((s) => s.serverCpuPerDeliveryUs)),
      serverCpuPerPublishMs: spread(samples[row.name].map((s) => s.serverCpuPerPublishMs)),
      expected: sum(row.name, (s) => s.expected),
      received: sum(row.name, (s) => s.received),
      lost: sum(row.name, (s) => s.lost),
      gaps: sum(row.name, (s) => s.gaps),
      duplicates: sum(row.name, (s) => s.duplicates),
    }))
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, seconds: SECONDS, pinning, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }
    writeResults(OUT, { meta, results, samples }, markdown(meta, results))
  } finally {
    rmSync(persistDir, { recursive: true, force: true })
  }
}

function markdown(meta, results) {
  const f = format
  const cell = formatSpread
  return [
    '# Shards benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds × ${meta.seconds} s per run · medians (min–max over the rounds) · ${meta.pinning ? 'load pinned to core 1, server free' : 'no core pinning'} · ${meta.cores} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    'One room, one topic, one publisher keeping 4 publishes outstanding (32 B payloads). With shards the publisher is on shard 1, so every publish goes shard 1 → owner (numbered there) → every shard. Each run has a fresh `wrangler dev`; under it every object of the namespace runs in one workerd process on this machine, so this shows correctness and the cost of the extra hops, not the spread of work over machines that production gives (see SCALING.md).',
    '',
    'Server CPU is the user + system time of every workerd process of the run over the measured window (from /proc, 10 ms ticks), divided by the deliveries (or publishes) in it: under `wrangler dev` it includes workerd\'s loopback socket work, which production spreads over Cloudflare\'s edge.',
    '',
    '| mode | subscribers per object | deliveries per second | publishes per second | publish-to-receive p50 / p99 ms | server CPU per delivery, µs | server CPU per publish, ms | lost | out of order | duplicates | deliveries checked | load CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.row} | ${r.perShard.map((n) => f(n)).join(' · ')} | ${cell(r.deliveriesPerSecond)} | ${cell(r.publishesPerSecond, 1)} | ${f(r.p50.median, 1)} / ${f(r.p99.median, 1)} (p99 ${f(r.p99.min, 1)}–${f(r.p99.max, 1)}) | ${cell(r.serverCpuPerDeliveryUs, 1)} | ${cell(r.serverCpuPerPublishMs, 1)} | ${f(r.lost)} | ${f(r.gaps)} | ${f(r.duplicates)} | ${f(r.received)} of ${f(r.expected)} | ${f(r.loadCpu.median * 100)}% |`,
    ),
    '',
  ].join('\n')
}

await main()
