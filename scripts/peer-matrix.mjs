// The peer ranges package.json promises, tested at both ends: the consumer test
// (test/package) once with the oldest and once with the newest release in each
// range of hono and valibot, the other packages at this repository's versions.
// Not part of npm test: it looks the versions up in the npm registry and installs them.
//
// Usage: node scripts/peer-matrix.mjs   (exit 1 if any run fails)
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const PEERS = ['hono', 'valibot']
const { peerDependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

/** Plain x.y.z versions compared by number (a range without a prerelease tag matches no prerelease). */
const byVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/** The oldest and the newest published version in `range` (one, if they are the same). */
function ends(name, range) {
  const versions = [JSON.parse(execFileSync('npm', ['view', `${name}@${range}`, 'version', '--json'], { encoding: 'utf8' }))].flat().sort(byVersion)
  return [...new Set([versions[0], versions.at(-1)])]
}

const rows = []
for (const name of PEERS) {
  const range = peerDependencies[name]
  for (const version of ends(name, range)) {
    const variable = `PIKKU_PEER_${name.toUpperCase()}`
    process.stdout.write(`${name}@${version} (${range}): `)
    const started = Date.now()
    const test = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.package.config.ts'], { encoding: 'utf8', env: { ...process.env, [variable]: version } })
    const passed = test.status === 0
    const seconds = Math.round((Date.now() - started) / 1000)
    console.log(`${passed ? 'passed' : 'FAILED'} in ${seconds} s`)
    if (!passed) console.log(test.stdout.slice(-4000), test.stderr.slice(-2000))
    rows.push({ name, range, version, passed })
  }
}

console.log(`\n| peer | range | version | consumer test |\n| --- | --- | --- | --- |`)
for (const row of rows) console.log(`| ${row.name} | \`${row.range}\` | ${row.version} | ${row.passed ? 'passes' : 'fails'} |`)
process.exitCode = rows.every((row) => row.passed) ? 0 : 1
