import { defineConfig, type UserConfig } from 'tsdown'

// Unbundled: each source file stays one module in dist/, so every entry shares one registry
// and one `Register` (a user's `declare module` must reach the copy the others read), and the
// CLI can bundle a Worker together with the library's own registry module (src/cli/library.ts).
const shared: UserConfig = {
  unbundle: true,
  root: 'src',
  outDir: 'dist',
  format: 'esm',
  target: 'es2022',
  fixedExtension: false,
  clean: true,
  // The user's copies: hono, valibot, esbuild, wrangler, typescript, cloudflare:workers.
  deps: { neverBundle: [/^[^./]/] },
}

export default defineConfig([
  {
    ...shared,
    entry: ['src/index.ts', 'src/core/index.ts', 'src/types.ts', 'src/client/index.ts', 'src/meta/index.ts'],
    platform: 'neutral',
    dts: true,
  },
  // The CLI runs in Node and is never imported: no declarations, Node's own tsconfig.
  {
    ...shared,
    entry: ['src/cli/main.ts'],
    platform: 'node',
    tsconfig: 'src/cli/tsconfig.json',
    dts: false,
  },
])
