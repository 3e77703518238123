// What every benchmark script shares: core pinning of the load generator, running one load job, the statistics and the results files.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './servers.mjs'

/** Whether the load generator can have core 1 to itself (the servers stay free). */
export const pinning = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && cpus().length >= 2

/** Runs `bench/<script>` with `job` as its JSON argument, pinned to core 1 when it can be, and returns what it printed as JSON. */
export function runLoad(script, job, { timeoutMs = 120_000, what = script } = {}) {
  const args = [join(ROOT, 'bench', script), JSON.stringify(job)]
  const [command, commandArgs] = pinning ? ['taskset', ['-c', '1', process.execPath, ...args]] : [process.execPath, args]
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs })
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.stderr}`)
  return JSON.parse(result.stdout)
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median, min and max of a run's samples. */
export const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })

/** A number as the reports print it: en-US, `digits` decimals; a dash for none. */
export const format = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

/** A spread as the reports print it: "median (min–max)". */
export const formatSpread = (s, digits = 0) => `${format(s.median, digits)} (${format(s.min, digits)}–${format(s.max, digits)})`

/** Writes bench/results/<name>.json (`data`) and .md (`report`), and prints the report. */
export function writeResults(name, data, report) {
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`)
  writeFileSync(join(dir, `${name}.md`), report)
  console.log(report)
}
