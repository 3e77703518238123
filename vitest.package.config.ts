import { defineConfig } from 'vitest/config'

// The packed tarball in fresh projects: npm pack, npm install, tsc, wrangler, the built CLI and client.
export default defineConfig({
  test: {
    name: 'package',
    include: ['test/package/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // Packing builds dist/, and each project installs with npm.
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
