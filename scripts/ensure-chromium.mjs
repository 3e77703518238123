// Makes sure Debian's Chromium is there for the browser tests, installing it when we can.
// Playwright cannot download its own browser on this network; Debian's package works.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CHROMIUM = '/usr/bin/chromium'

if (existsSync(CHROMIUM)) process.exit(0)

const isRoot = process.getuid?.() === 0
const hasApt = existsSync('/usr/bin/apt-get')
if (!isRoot || !hasApt) {
  console.error(`The browser tests need Chromium at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`)
  process.exit(1)
}
console.log('Installing Chromium for the browser tests (apt-get)…')
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' })
