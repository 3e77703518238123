// npm run bench, last step: bench/results/latest.md gathers every benchmark of the run, so one file
// holds it all: run.mjs's tables, the reading of them (bench/analysis.md, as it is now), then the
// other scripts' results files. Each part keeps its own header line, with its date and settings,
// and its baseline rows.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './servers.mjs'

const RESULTS = join(ROOT, 'bench/results')
const PARTS = ['memory', 'streams', 'presence', 'coordinator', 'shards']
const MARK = '\n---\n\n# The other benchmarks of the run\n'

const latest = join(RESULTS, 'latest.md')
const tables = readFileSync(latest, 'utf8').split(MARK)[0].split('\n## Reading these numbers')[0]
const reading = readFileSync(join(ROOT, 'bench/analysis.md'), 'utf8')
const parts = PARTS.filter((name) => existsSync(join(RESULTS, `${name}.md`))).map((name) => {
  // One level down, under this file's heading; the tables and their notes as they are.
  const [heading, ...body] = readFileSync(join(RESULTS, `${name}.md`), 'utf8').replace(/^(#+) /gm, '#$1 ').trim().split('\n')
  return `\n${heading}\n\nFrom \`bench/results/${name}.md\`.\n${body.join('\n')}\n`
})
writeFileSync(latest, `${tables.trimEnd()}\n\n${reading.trim()}\n${MARK}${parts.join('')}`)
console.log(`bench/results/latest.md: the run's tables and ${parts.length} more (${PARTS.join(', ')})`)
