import { defineConfig } from 'vitest/config'

// Real `wrangler dev` on 127.0.0.1 with real WebSocket clients (and Chromium for the page).
export default defineConfig({
  // The package by name from its sources (tsconfig.json's paths), so no build is needed.
  resolve: { tsconfigPaths: true },
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
