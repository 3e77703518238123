// npm run bench (after run.mjs): one binary stream's throughput and time to first byte, ours at
// bufferFrames 1, 8 and 64 against a raw relay object (no credits, no storage) in the same Worker,
// and against the same relay writing each frame to SQLite (what durable buffering costs alone).
//
// One `wrangler dev` (bench/streams/), the load pinned to core 1 as in run.mjs. Each round runs every
// row, in rotating order; ratios to raw are paired by round. Results in bench/results/streams.{json,md},
// followed by the streams part of bench/analysis.md.
//
// Bounded: BENCH_ROUNDS (default 5) x 5 rows x BENCH_STREAM_MIB (default 16) MiB, all on loopback;
// a few minutes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, formatSpread, median, pinning, runLoad, spread, writeResults } from './harness.mjs'
import { ROOT, startServer } from './servers.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MIB = Number(process.env.BENCH_STREAM_MIB ?? 16)
const ONLY = process.env.BENCH_ONLY // a substring of the ours rows' names, to run a subset while investigating (raw always runs)
const ROWS = [{ name: 'raw relay', target: 'raw' }, { name: 'raw relay + a SQLite write per frame', target: 'raw+store' }, ...[1, 8, 64].map((bufferFrames) => ({ name: `ours, bufferFrames ${bufferFrames}`, target: 'ours', bufferFrames }))].filter(
  (row) => !ONLY || row.target !== 'ours' || row.name.includes(ONLY),
)

/** The client as users get it (src/client), bundled for Node: the load generator is plain JavaScript. */
async function bundleClient() {
  const { build } = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))('esbuild')
  const outfile = join(ROOT, 'bench/results/tmp/stream-client.mjs')
  await build({ entryPoints: [join(ROOT, 'src/client/index.ts')], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile, logLevel: 'warning' })
  return outfile
}

function load(base, client, row) {
  return runLoad('stream-load.mjs', { base, client, target: row.target, bufferFrames: row.bufferFrames, mib: MIB }, { what: `stream load for ${row.name}` })
}

async function main() {
  const persistDir = mkdtempSync(join(tmpdir(), 'pikku-bench-streams-'))
  let server
  try {
    const client = await bundleClient()
    server = await startServer('streams', persistDir)
    const base = server.base.replace('ws', 'http')
    console.log(`streams target up (${pinning ? 'load pinned to core 1' : 'no core pinning'}); ${ROUNDS} rounds x ${ROWS.length} rows x ${MIB} MiB`)
    for (const row of ROWS) load(base, client, row) // warm-up, unmeasured
    const samples = Object.fromEntries(ROWS.map((row) => [row.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < ROWS.length; i++) {
        const row = ROWS[(i + round) % ROWS.length]
        samples[row.name].push(load(base, client, row))
      }
      console.log(`round ${round + 1}/${ROUNDS} done`)
    }
    const raw = samples['raw relay']
    const store = samples['raw relay + a SQLite write per frame']
    const results = ROWS.map((row) => ({
      row: row.name,
      bufferFrames: row.bufferFrames,
      mibPerSecond: spread(samples[row.name].map((s) => s.mibPerSecond)),
      ttfbMs: spread(samples[row.name].map((s) => s.ttfbMs)),
      vsRaw: spread(samples[row.name].map((s, round) => s.mibPerSecond / raw[round].mibPerSecond)),
      vsStore: spread(samples[row.name].map((s, round) => s.mibPerSecond / store[round].mibPerSecond)),
      ...(row.target === 'ours' ? { acksPerFrame: median(samples[row.name].map((s) => s.acksPerFrame)) } : {}),
    }))
    const meta = { date: new Date().toISOString(), rounds: ROUNDS, mibPerRun: MIB, pinning, cpu: cpus()[0]?.model, node: process.version }
    writeResults('streams', { meta, results }, markdown(meta, results) + analysis())
  } finally {
    server?.stop()
    rmSync(persistDir, { recursive: true, force: true })
  }
}

function markdown(meta, results) {
  const f = format
  const cell = formatSpread
  return [
    '# Stream benchmark results',
    '',
    `${meta.date} · ${meta.rounds} rounds × ${meta.mibPerRun} MiB per run · medians (min–max over the rounds) · ${meta.pinning ? 'load pinned to core 1, server free' : 'no core pinning'} · ${cpus().length} cores · ${meta.cpu} · Node ${meta.node}`,
    '',
    'One stream, both ends in one Node process over loopback (`ws`), the writer sending 1 MiB writes. Ratios are paired by round: ÷ raw is against the raw relay, ÷ raw + SQLite against the relay that also writes each frame to SQLite (the cost of durable buffering alone).',
    '',
    '| scenario | MiB/s | time to first byte, ms | ÷ raw | ÷ raw + SQLite | acks per frame |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => {
      const ratio = (x) => `${f(x.median, 2)}× (${f(x.min, 2)}–${f(x.max, 2)})`
      return `| ${r.row} | ${cell(r.mibPerSecond, 1)} | ${cell(r.ttfbMs, 1)} | ${ratio(r.vsRaw)} | ${ratio(r.vsStore)} | ${r.acksPerFrame === undefined ? '–' : f(r.acksPerFrame, 2)} |`
    }),
    '',
  ].join('\n')
}

/** The streams part of bench/analysis.md (from its "## Streams" heading on). */
function analysis() {
  const file = join(ROOT, 'bench/analysis.md')
  if (!existsSync(file)) return ''
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf('## Streams')
  return start < 0 ? '' : `\n${text.slice(start)}`
}

await main()
