// How stable the bench's ratios are across whole runs: node bench/stability.mjs latest tmp/run3 tmp/run4
// reads bench/results/<name>.json of each run.mjs run and prints, per row, each run's median ratio of
// ours (defaults) to raw and to PartyServer, on the CPU measure and on throughput, and how far apart
// the runs are (max ÷ min of the medians).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, median } from './harness.mjs'
import { ROOT } from './servers.mjs'

const names = process.argv.slice(2)
if (names.length < 2) throw new Error('usage: node bench/stability.mjs <run> <run> [...] (names under bench/results, without .json)')
const runs = names.map((name) => JSON.parse(readFileSync(join(ROOT, 'bench/results', `${name}.json`), 'utf8')))
const rows = runs[0].results.map((r) => r.row)

const lines = [
  `Across ${runs.length} whole runs (${runs.map((run) => `${run.meta.date.slice(0, 16)}Z, ${run.meta.rounds} rounds`).join('; ')}): each run's median ratio of ours (defaults) to the other target, and the spread between the runs (largest ÷ smallest median).`,
  '',
  '| scenario | CPU ours ÷ raw | spread | CPU ours ÷ PartyServer | spread | throughput ours ÷ raw | spread |',
  '| --- | --- | --- | --- | --- | --- | --- |',
]
const spreads = { cpuRaw: [], cpuParty: [], rateRaw: [] }
for (const row of rows) {
  const pick = (key, measure) => runs.map((run) => run.results.find((r) => r.row === row)?.ratios[key][measure].median)
  const cells = [
    ['cpuRaw', pick('ours/raw', 'cpu')],
    ['cpuParty', pick('ours/partyserver', 'cpu')],
    ['rateRaw', pick('ours/raw', 'perSecond')],
  ].map(([name, values]) => {
    const spread = Math.max(...values) / Math.min(...values)
    spreads[name].push(spread)
    return `${values.map((v) => `${format(v, 2)}×`).join(' · ')} | ${format(spread, 2)}`
  })
  lines.push(`| ${row} | ${cells.join(' | ')} |`)
}
lines.push('', `Median spread between runs: CPU ours ÷ raw ${format(median(spreads.cpuRaw), 2)}, CPU ours ÷ PartyServer ${format(median(spreads.cpuParty), 2)}, throughput ours ÷ raw ${format(median(spreads.rateRaw), 2)}.`)
console.log(lines.join('\n'))
