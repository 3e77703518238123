// npm run bench (after run.mjs): presence in a room of 1,000 connections, against a baseline in the
// same run where each join and leave is published naively as an event to everyone.
//
// A fresh `wrangler dev` (bench/ours/) per run, so each mode's memory is its own; the load pinned to
// core 1 as in run.mjs. Per run: the room is
// filled, then a burst of 100 joins at once, then their 100 leaves; frames are counted at the
// watchers, time is until every watcher heard the last change, memory is workerd's resident set
// (before, with the room, after the burst, after the leaves). Each round runs every mode, in
// rotating order. Results in bench/results/${BENCH_OUT or presence}.{json,md}, followed by the
// presence part of bench/analysis.md.
//
// Bounded: BENCH_ROUNDS (default 3) x 4 modes, at most 1,100 sockets at once, all on loopback;
// a few minutes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { workerdPids } from './proc.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const ONLY = process.env.BENCH_ONLY // a substring of the modes' names, to run a subset while investigating
const OUT = process.env.BENCH_OUT ?? 'presence'
const MEMBERS = 1000
const BURST = 100
const MODES = [
  { name: 'naive: each join and leave an event to everyone', mode: 'naive', watchers: MEMBERS },
  { name: 'presence, 1,000 watchers, full joins and leaves (largeRoom 5,000)', mode: 'full', watchers: MEMBERS },
  { name: 'presence, 1,000 watchers, large room (counts and a sample)', mode: 'sampled', watchers: MEMBERS },
  { name: 'presence, 10 watchers, large room', mode: 'sampled', watchers: 10 },
].filter((row) => !ONLY || row.name.includes(ONLY))

async function measure(persistDir, row) {
  const server = await startServer('ours', join(persistDir, String(runs++)))
  try {
    return load(server, workerdPids(server.pid), row)
  } finally {
    server.stop()
  }
}

let runs = 0

function load(server, pids, row) {
  const job = { base: server.base, mode: row.mode, members: MEMBERS, burst: BURST, watchers: row.watchers, pids }
  return runLoad('presence-load.mjs', job, { timeoutMs: 300_000, what: `presence load for ${row.name}` })
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-presence-'))
  try {
    console.log(`presence: ${pinning ? 'load pinned to core 1' : 'no core pinning'}; ${ROUNDS} rounds x ${MODES.length} modes, a fresh server for each`)
    const samples = Object.fromEntries(MODES.map((row) => [row.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const row = MODES[(i + round) % MODES.length]
        samples[row.name].push(await measure(persistDir, row))
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const pick = (name, get) => spread(samples[name].map(get))
    const results = MODES.map((row) => ({
      row: row.name,
      watchers: row.watchers,
      framesPerJoinPerWatcher: pick(row.name, (s) => s.joined.framesPerWatcher),
      framesPerJoin: pick(row.name, (s) => s.joined.framesToWatchers),
      bytesPerJoinPerWatcher: pick(row.name, (s) => s.joined.bytesPerWatcher),
      framesPerLeavePerWatcher: pick(row.name, (s) => s.left.framesPerWatcher),
      framesPerLeave: pick(row.name, (s) => s.left.framesToWatchers),
      burstJoinMs: pick(row.name, (s) => s.joinMs),
      burstLeaveMs: pick(row.name, (s) => s.leaveMs),
      writesPerJoinAndLeave: pick(row.name, (s) => s.writesPerJoinAndLeave),
      memoryMiB: {
        before: pick(row.name, (s) => s.memoryMiB.before),
        room: pick(row.name, (s) => s.memoryMiB.room),
        afterBurst: pick(row.name, (s) => s.memoryMiB.afterBurst),
        after: pick(row.name, (s) => s.memoryMiB.after),
      },
    }))
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, members: MEMBERS, burst: BURST, pinning, cpu: cpus()[0]?.model, node: process.version }
    writeResults(OUT, { meta, results }, markdown(meta, results) + analysis())
  } finally {
    rmSync(persistDir, { recursive: true, force: true })
  }
}

function markdown(meta, results) {
  const f = format
  const cell = formatSpread
  return [
    '# Presence benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds · a room of ${f(meta.members)} connections, a burst of ${meta.burst} joins then their leaves · medians (min–max over the rounds) · ${meta.pinning ? 'load pinned to core 1, server free' : 'no core pinning'} · ${cpus().length} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    'Frames are counted at the watchers (the naive baseline has no opt-in: all 1,000 get every event). Each run has a fresh server; memory is the resident set of its workerd processes before the room, with the room, after the burst and after the leaves. Storage writes are counted in the bench build over the burst and its leaves.',
    '',
    '| mode | frames per join, per watcher | frames per join, all watchers | bytes per join, per watcher | frames per leave, all watchers | 100 joins reach every watcher, ms | 100 leaves, ms | storage writes per join + leave | workerd MiB: before · room · burst · after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => {
      const m = r.memoryMiB
      return `| ${r.row} | ${cell(r.framesPerJoinPerWatcher, 2)} | ${cell(r.framesPerJoin)} | ${cell(r.bytesPerJoinPerWatcher)} | ${cell(r.framesPerLeave)} | ${cell(r.burstJoinMs)} | ${cell(r.burstLeaveMs)} | ${f(r.writesPerJoinAndLeave.median, 2)} | ${f(m.before.median)} · ${f(m.room.median)} · ${f(m.afterBurst.median)} · ${f(m.after.median)} |`
    }),
    '',
  ].join('\n')
}

/** The presence part of bench/analysis.md (from its "## Presence" heading to the next "## "). */
function analysis() {
  const file = join(ROOT, 'bench/analysis.md')
  if (!existsSync(file)) return ''
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf('## Presence')
  if (start < 0) return ''
  const end = text.indexOf('\n## ', start + 1)
  return `\n${text.slice(start, end < 0 ? undefined : end)}`
}

await main()
