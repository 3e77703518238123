#!/usr/bin/env node
// Development launcher: Node 20 cannot run TypeScript, so the CLI in src/cli/
// runs from source through tsx (a devDependency). A later build points `bin`
// at dist/cli.js and this file goes away.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
