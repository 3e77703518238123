// Builds the reference app's page into worker/public/ (served by wrangler's static
// assets): the page script bundled for browsers with esbuild, the HTML, and the
// README and PROTOCOL it links to. wrangler.toml's [build] runs it before
// `wrangler dev` and `wrangler deploy`, so a fresh clone needs no extra step.
import { copyFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'worker', 'public')
// esbuild comes with wrangler: take the one wrangler itself uses.
const { build } = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))('esbuild')

await mkdir(out, { recursive: true })
await build({
  entryPoints: [join(root, 'worker', 'web', 'app.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: join(out, 'app.js'),
  tsconfig: join(root, 'worker', 'tsconfig.json'),
  logLevel: 'warning',
})
await copyFile(join(root, 'worker', 'web', 'index.html'), join(out, 'index.html'))
for (const doc of ['README.md', 'PROTOCOL.md']) await copyFile(join(root, doc), join(out, doc))
