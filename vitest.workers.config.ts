import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { readdirSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

/** Each seed example is its own Worker (several wire a channel named `todos`): one Workers-pool project per folder. */
const seeds = readdirSync('test/seeds', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d{3}-/.test(entry.name))
  .map((entry) => entry.name)
  .sort()

// Everything that touches ChannelObject runs inside workerd.
// The package by name from its sources (tsconfig.json's paths), so no build is needed.
const resolve = { tsconfigPaths: true }

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './test/workers/wrangler.toml' } })],
        resolve,
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
      ...seeds.map((seed) => ({
        plugins: [cloudflareTest({ wrangler: { configPath: `./test/seeds/${seed}/wrangler.toml` } })],
        resolve,
        test: { name: `seed ${seed}`, include: [`test/seeds/${seed}/**/*.test.ts`] },
      })),
    ],
  },
})
