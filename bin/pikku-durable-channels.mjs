#!/usr/bin/env node
// This repository's launcher (not shipped): runs the CLI in src/cli/ from source
// through tsx, so development and the tests need no build. The published
// package's `bin` is the built dist/cli/main.js, which needs neither.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
