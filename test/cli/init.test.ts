import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { editEntry } from '../../src/cli/init/entry-edit'
import { configFacts, editJson, editToml } from '../../src/cli/init/wrangler-edit'
import { readWranglerConfig } from '../../src/cli/wrangler-config'
import ts from 'typescript'
import { cleanup, ROOT, runCli, tempDir, tempProject, waitFor, WRANGLER_FROM_SOURCE } from './support'

afterAll(cleanup)

const HONO_WORKER = join(__dirname, 'fixtures', 'hono-worker')

/** The facts init reads from a config, parsed by wrangler itself. */
async function factsOf(name: string, text: string) {
  const dir = tempDir()
  const file = join(dir, name)
  writeFileSync(file, text)
  return { file, facts: configFacts(await readWranglerConfig(file, dir)) }
}

describe('init: the wrangler config', () => {
  it('appends the binding and the migration to a wrangler.toml that has neither, and a second pass changes nothing', async () => {
    const text = 'name = "w"\nmain = "src/index.ts"\n'
    const { facts } = await factsOf('wrangler.toml', text)
    const edit = editToml(text, facts)
    expect(edit).toMatchObject({ kind: 'edited', added: ['the CHANNELS binding', 'the SQLite migration'] })
    const edited = (edit as { text: string }).text
    expect(edited.startsWith(text)).toBe(true)
    const again = await factsOf('wrangler.toml', edited)
    expect(again.facts).toStrictEqual({ bindingName: 'CHANNELS', hasDurableObjects: true, migrated: true, hasMigrations: true })
    expect(editToml(edited, again.facts)).toStrictEqual({ kind: 'unchanged', bindingName: 'CHANNELS' })
  })

  it("keeps the user's own migrations and bindings, adding a migration of its own after them", async () => {
    const text = 'main = "x.ts"\n\n[[durable_objects.bindings]]\nname = "ROOMS"\nclass_name = "Room"\n\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n'
    const { facts } = await factsOf('wrangler.toml', text)
    const edited = (editToml(text, facts) as { text: string }).text
    const raw = (await factsOf('wrangler.toml', edited)).facts
    expect(raw).toMatchObject({ bindingName: 'CHANNELS', migrated: true })
    expect(edited).toContain('tag = "v1"')
    expect(edited.indexOf('tag = "pikku-channels"')).toBeGreaterThan(edited.indexOf('tag = "v1"'))
  })

  it('finds ChannelObject bound under another name, and says so instead of adding a second binding', async () => {
    const text = 'main = "x.ts"\n[[durable_objects.bindings]]\nname = "CHAT"\nclass_name = "ChannelObject"\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["ChannelObject"]\n'
    const { facts } = await factsOf('wrangler.toml', text)
    expect(editToml(text, facts)).toStrictEqual({ kind: 'unchanged', bindingName: 'CHAT' })
  })

  it('does not rewrite tables written inline: it gives the lines to add', async () => {
    const text = 'main = "x.ts"\ndurable_objects = { bindings = [{ name = "R", class_name = "Room" }] }\n'
    const { facts } = await factsOf('wrangler.toml', text)
    const edit = editToml(text, facts)
    expect(edit.kind).toBe('manual')
    expect((edit as { lines: string }).lines).toContain('class_name = "ChannelObject"')
  })

  it('inserts into a wrangler.jsonc with comments and a trailing comma, which wrangler still reads', async () => {
    const text = '{\n  // my worker\n  "name": "w",\n  "main": "src/index.ts", /* entry */\n  "vars": { "A": "}" },\n}\n'
    const { facts } = await factsOf('wrangler.jsonc', text)
    const edited = (editJson(text, facts) as { text: string }).text
    expect(edited).toContain('// my worker')
    const again = await factsOf('wrangler.jsonc', edited)
    expect(again.facts).toMatchObject({ bindingName: 'CHANNELS', migrated: true })
    expect(editJson(edited, again.facts).kind).toBe('unchanged')
  })

  it('inserts into a plain wrangler.json without a trailing comma', async () => {
    const text = '{\n  "name": "w",\n  "main": "src/index.ts"\n}\n'
    const { facts } = await factsOf('wrangler.json', text)
    const edited = (editJson(text, facts) as { text: string }).text
    expect(JSON.parse(edited)).toMatchObject({ durable_objects: { bindings: [{ name: 'CHANNELS', class_name: 'ChannelObject' }] }, migrations: [{ new_sqlite_classes: ['ChannelObject'] }] })
  })
})

describe('init: the entry', () => {
  const hono = "import { Hono } from 'hono'\n\nconst app = new Hono()\napp.get('/health', (c) => c.text('ok'))\n\nexport default app\n"

  it('imports the starter channel, exports ChannelObject and mounts channels() on a Hono app; again, nothing', () => {
    const edit = editEntry(ts, 'index.ts', hono, './hello.channel')
    expect(edit).toMatchObject({ kind: 'edited', added: ["import './hello.channel'", 'export { ChannelObject }', "app.route('/', channels())"] })
    const text = (edit as { text: string }).text
    expect(text).toContain("import { channels } from 'pikku-durable-channels'")
    expect(text.indexOf("app.route('/', channels())")).toBeLessThan(text.indexOf('export default app'))
    expect(editEntry(ts, 'index.ts', text, './hello.channel')).toStrictEqual({ kind: 'unchanged' })
  })

  it('adds only the import and the export to an entry that already exports channels()', () => {
    const text = "import { channels } from 'pikku-durable-channels'\nexport default channels()\n"
    const edit = editEntry(ts, 'index.ts', text, './hello.channel')
    expect(edit).toMatchObject({ kind: 'edited', added: ["import './hello.channel'", 'export { ChannelObject }'] })
  })

  it('leaves an entry it cannot be sure of alone, and gives the lines to paste', () => {
    const edit = editEntry(ts, 'index.ts', 'export default { fetch() { return new Response("hi") } }\n', './hello.channel')
    expect(edit).toMatchObject({ kind: 'manual', lines: expect.arrayContaining(["export { ChannelObject } from 'pikku-durable-channels'"]) })
  })
})

/** A free port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe('init on a fresh Hono Worker', () => {
  it('adds everything, changes nothing the second time, and wrangler dev then serves the starter channel beside the app', { timeout: 120_000 }, async () => {
    const dir = tempProject(HONO_WORKER, ['hono', 'valibot'])
    const first = runCli(['init'], dir)
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(first.stdout).toContain('added to wrangler.toml: the CHANNELS binding and the SQLite migration')
    expect(first.stdout).toContain('wrote src/hello.channel.ts')
    expect(first.stdout).toContain("edited src/index.ts: import './hello.channel', export { ChannelObject }, app.route('/', channels())")
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.pikku/\n')
    const files = ['wrangler.toml', 'src/index.ts', 'src/hello.channel.ts', 'src/functions/hello/greet.function.ts', '.gitignore'].map((f) => readFileSync(join(dir, f), 'utf8'))

    const second = runCli(['init'], dir)
    expect(second.status).toBe(0)
    expect(second.stdout).toContain('already there')
    expect(['wrangler.toml', 'src/index.ts', 'src/hello.channel.ts', 'src/functions/hello/greet.function.ts', '.gitignore'].map((f) => readFileSync(join(dir, f), 'utf8'))).toStrictEqual(files)

    const port = await freePort()
    const wrangler = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort())], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...WRANGLER_FROM_SOURCE, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
    })
    let output = ''
    wrangler.stdout!.on('data', (chunk) => (output += chunk))
    wrangler.stderr!.on('data', (chunk) => (output += chunk))
    try {
      await waitFor(`wrangler dev to be ready:\n${output}`, () => (output.includes('Ready on') ? true : undefined), 45_000)
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).text()).toBe('ok')
      const ws = new WebSocket(`ws://127.0.0.1:${port}/hello/lobby`)
      const frames: unknown[] = []
      ws.on('message', (data) => frames.push(JSON.parse(String(data))))
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
      ws.send(JSON.stringify({ action: 'greet', id: 1, data: { name: 'Ada' } }))
      await waitFor('the greeting', () => (frames.length >= 2 ? true : undefined), 10_000)
      expect(frames[1]).toStrictEqual({ type: 'reply', action: 'greet', id: 1, data: { greeting: 'Hello, Ada, from room lobby' } })
      ws.close()
    } finally {
      process.kill(-wrangler.pid!, 'SIGTERM')
    }
  })
})
