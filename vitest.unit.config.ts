import { defineConfig } from 'vitest/config'

// The pure core (and the Hono router, which needs no Durable Object) in plain Node, and the CLI.
export default defineConfig({
  // The package by name from its sources (tsconfig.json's paths), so no build is needed.
  resolve: { tsconfigPaths: true },
  test: {
    name: 'unit',
    include: ['test/core/**/*.test.ts', 'test/router/**/*.test.ts', 'test/client/**/*.test.ts', 'test/meta/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/faults/**/*.test.ts', 'test/docs/**/*.test.ts'],
    environment: 'node',
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
