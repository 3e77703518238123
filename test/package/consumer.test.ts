import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DevServer } from '../e2e/support/dev-server'
import { consumerProject, packTarball, removeProjects, run, spec, tscErrors, type Project, type Tarball } from './consumer-project'

// The package as a user gets it: `npm pack`, then fresh projects that install the tarball.

let tarball: Tarball
let worker: Project
let browser: Project

beforeAll(() => {
  tarball = packTarball()
  console.info(`tarball: ${tarball.files.length} files, ${(tarball.size / 1024).toFixed(1)} kB (${(tarball.unpackedSize / 1024).toFixed(1)} kB unpacked)`)
  worker = consumerProject('hono-worker', tarball.file, [spec('hono'), spec('valibot'), spec('wrangler'), spec('typescript'), spec('@cloudflare/workers-types'), spec('ws')])
  browser = consumerProject('browser', tarball.file, [spec('valibot'), spec('typescript')])
})
afterAll(removeProjects)

describe('the tarball', () => {
  it('holds the build, README, PROTOCOL and LICENSE, and nothing else', () => {
    expect(tarball.files.filter((file) => !/^(dist\/.+\.(js|d\.ts)|README\.md|PROTOCOL\.md|LICENSE|package\.json)$/.test(file))).toStrictEqual([])
    for (const entry of ['index', 'core/index', 'types', 'client/index', 'meta/index']) {
      expect(tarball.files).toContain(`dist/${entry}.js`)
      expect(tarball.files).toContain(`dist/${entry}.d.ts`)
    }
    expect(tarball.files).toContain('dist/cli/main.js')
  })

  it('installs without engine or peer warnings, and without esbuild or tsx of its own', () => {
    for (const project of [worker, browser]) {
      expect(project.install.stderr).not.toMatch(/EBADENGINE|ERESOLVE|peer dep/i)
      expect(existsSync(join(project.dir, 'node_modules', 'tsx'))).toBe(false)
    }
    // The browser project has no wrangler, so nothing brings esbuild.
    expect(existsSync(join(browser.dir, 'node_modules', 'esbuild'))).toBe(false)
    // hono is a peer: the user's one copy, which app.route(channels()) needs.
    expect(existsSync(join(worker.dir, 'node_modules', 'pikku-durable-channels', 'node_modules', 'hono'))).toBe(false)
  })
})

describe('an existing Hono Worker that mounts channels() under /realtime', () => {
  it.each(['tsconfig.bundler.json', 'tsconfig.stricter.json', 'tsconfig.nodenext.json'])('type-checks with no errors in our files or the Worker’s under %s (skipLibCheck off)', (config) => {
    expect(tscErrors(worker.dir, config).ours).toStrictEqual([])
  }, 120_000)

  it('bundles with wrangler deploy --dry-run', () => {
    const deploy = run(join(worker.dir, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', 'out'], { cwd: worker.dir, env: { WRANGLER_SEND_METRICS: 'false' } })
    expect(deploy.stderr).not.toMatch(/ERROR/)
    expect(deploy.status).toBe(0)
    expect(readFileSync(join(worker.dir, 'out', 'index.js'), 'utf8')).toContain('ChannelObject')
  }, 120_000)

  it('runs the built CLI: gen loads the wirings with the esbuild wrangler brought', () => {
    const gen = run(join(worker.dir, 'node_modules', '.bin', 'pikku-durable-channels'), ['gen', '--base', '/realtime'], { cwd: worker.dir })
    expect(gen.stderr).toBe('')
    expect(gen.status).toBe(0)
    const meta = JSON.parse(readFileSync(join(worker.dir, '.pikku', 'channels.meta.json'), 'utf8')) as { channels: { name: string; actions: { name: string }[] }[] }
    expect(meta.channels.map((channel) => [channel.name, channel.actions.map((action) => action.name)])).toStrictEqual([['chat', ['echo']]])
  }, 120_000)

  it('serves its own routes and the channels side by side on wrangler dev, to the built client in plain Node', async () => {
    const server = new DevServer({ cwd: worker.dir })
    await server.start()
    try {
      expect(await (await fetch(`${server.baseUrl}/health`)).text()).toBe('ok')
      expect(await (await fetch(`${server.baseUrl}/api/items/7`)).json()).toStrictEqual({ id: '7' })
      // A channel route answers a plain GET (no upgrade) with 426, an unknown one stays Hono's 404.
      expect((await fetch(`${server.baseUrl}/realtime/chat/lobby`)).status).toBe(426)
      expect((await fetch(`${server.baseUrl}/realtime/nope`)).status).toBe(404)
      const client = run(process.execPath, ['client.mjs', server.baseUrl], { cwd: worker.dir, timeout: 30_000 })
      expect(client.stderr).toBe('')
      expect(JSON.parse(client.stdout)).toStrictEqual({ text: 'hello from node', room: 'lobby' })
    } finally {
      await server.stop()
    }
  }, 120_000)
})

describe('a DOM-only browser project', () => {
  it('types createClient<typeof chatChannel> from a wiring on ./core with no errors (skipLibCheck off, no Cloudflare types)', () => {
    expect(tscErrors(browser.dir, 'tsconfig.json')).toStrictEqual({ ours: [], elsewhere: 0 })
  }, 120_000)
})
