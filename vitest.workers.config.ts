import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

// Everything that touches ChannelObject runs inside workerd.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './test/workers/wrangler.toml' } })],
  test: {
    name: 'workers',
    include: ['test/workers/**/*.test.ts'],
  },
})
