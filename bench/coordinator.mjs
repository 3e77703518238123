// npm run bench (after presence.mjs): a global topic's coordinator fanning out to 50 instances, one
// subscriber each, against a baseline in the same run: the same 50 subscribers in one instance on a
// local topic (the same fan-out without the coordinator hop and the 50 object calls).
//
// A fresh `wrangler dev` (bench/coordinator/) per round, both modes in it in rotating order, the load
// pinned to core 1 as in run.mjs. Per mode: 2 publishers, paced publishes for the time from a publish
// to its last delivery (p50/p99), then a burst for deliveries a second; every subscriber checks each
// publisher's sequence numbers (order and loss). Results in bench/results/${BENCH_OUT or
// coordinator}.{json,md}.
//
// Bounded: BENCH_ROUNDS (default 3) x 2 modes, 52 sockets at once, all on loopback; about a minute
// a round.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const OUT = process.env.BENCH_OUT ?? 'coordinator'
const INSTANCES = 50
const PUBLISHERS = 2
const PACED = 100 // per publisher
const PACE_MS = 20
const BURST = 200 // per publisher
const MODES = [
  { name: `global topic: ${INSTANCES} instances through the coordinator`, mode: 'global' },
  { name: `baseline: ${INSTANCES} subscribers in one instance, local topic`, mode: 'local' },
]

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-coordinator-'))
  try {
    console.log(`coordinator: ${pinning ? 'load pinned to core 1' : 'no core pinning'}; ${ROUNDS} rounds x ${MODES.length} modes, a fresh server each round`)
    const samples = Object.fromEntries(MODES.map((row) => [row.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer('coordinator', join(persistDir, String(round)))
      try {
        for (let i = 0; i < MODES.length; i++) {
          const row = MODES[(i + round) % MODES.length]
          const job = { base: server.base, mode: row.mode, instances: INSTANCES, publishers: PUBLISHERS, paced: PACED, paceMs: PACE_MS, burst: BURST, tag: `r${round}` }
          samples[row.name].push(runLoad('coordinator-load.mjs', job, { timeoutMs: 180_000, what: `coordinator load for ${row.name}` }))
        }
      } finally {
        server.stop()
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const pick = (name, get) => spread(samples[name].map(get))
    const results = MODES.map((row) => ({
      row: row.name,
      mode: row.mode,
      pacedP50Ms: pick(row.name, (s) => s.paced.p50Ms),
      pacedP99Ms: pick(row.name, (s) => s.paced.p99Ms),
      burstDeliveriesPerSecond: pick(row.name, (s) => s.burst.deliveriesPerSecond),
      burstPublishesPerSecond: pick(row.name, (s) => s.burst.publishesPerSecond),
      burstLastDeliveryMs: pick(row.name, (s) => s.burst.lastDeliveryMs),
      burstP50Ms: pick(row.name, (s) => s.burst.p50Ms),
      burstP99Ms: pick(row.name, (s) => s.burst.p99Ms),
      delivered: samples[row.name].reduce((sum, s) => sum + s.delivered, 0),
      expected: samples[row.name].reduce((sum, s) => sum + s.expected, 0),
      lost: samples[row.name].reduce((sum, s) => sum + s.lost, 0),
      outOfOrder: samples[row.name].reduce((sum, s) => sum + s.outOfOrder, 0),
    }))
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, instances: INSTANCES, publishers: PUBLISHERS, paced: PACED, paceMs: PACE_MS, burst: BURST, pinning, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }
    writeResults(OUT, { meta, results, samples }, markdown(meta, results))
  } finally {
    rmSync(persistDir, { recursive: true, force: true })
  }
}

function markdown(meta, results) {
  const f = format
  const cell = formatSpread
  const [global, local] = results
  return [
    '# Coordinator benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds, a fresh \`wrangler dev\` each · ${meta.instances} subscribers, ${meta.publishers} publishers · medians (min–max over the rounds) · ${meta.pinning ? 'load pinned to core 1, server free' : 'no core pinning'} · ${meta.cores} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    `Paced: each publisher sends ${meta.paced} events ${meta.paceMs} ms apart; the time is from sending a publish to its delivery at the last of the ${meta.instances} subscribers. Burst: each publisher sends ${meta.burst} more as fast as its replies come (a global publish is answered once the coordinator has its calls on their way, so publishers can run ahead of the deliveries); deliveries a second run from the burst's first publish to its last delivery. Every subscriber checks each publisher's sequence numbers, warm-up included: out of order and lost are totals over all rounds.`,
    '',
    '| mode | paced: publish to last delivery p50, ms | p99, ms | burst: deliveries/s | publishes/s | burst p50, ms | burst p99, ms | delivered / expected | out of order | lost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.row} | ${cell(r.pacedP50Ms, 1)} | ${cell(r.pacedP99Ms, 1)} | ${cell(r.burstDeliveriesPerSecond)} | ${cell(r.burstPublishesPerSecond)} | ${cell(r.burstP50Ms, 1)} | ${cell(r.burstP99Ms, 1)} | ${f(r.delivered)} / ${f(r.expected)} | ${r.outOfOrder} | ${r.lost} |`,
    ),
    '',
    `The coordinator hop costs ${f(global.pacedP50Ms.median / local.pacedP50Ms.median, 1)}x the baseline's time to the last delivery at p50 (${f(global.pacedP50Ms.median, 1)} ms against ${f(local.pacedP50Ms.median, 1)} ms) and delivers ${f(global.burstDeliveriesPerSecond.median / local.burstDeliveriesPerSecond.median, 2)}x its deliveries a second. On loopback, every object in one workerd process: in production each instance call is a network hop, so the absolute figures are a floor.`,
    '',
  ].join('\n')
}

await main()
