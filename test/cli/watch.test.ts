import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { cleanup, startCli, tempDir, tempProject, TYPED_FIXTURE, waitFor, type RunningCli } from './support'

afterAll(cleanup)

let running: RunningCli | undefined

// Only the process this test started, and only if a failed assertion left it running.
afterEach(() => {
  if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL')
  running = undefined
})

/** The channel and action names in the generated metadata, or undefined before it exists. */
function wired(dir: string): string[] | undefined {
  const file = join(dir, '.pikku', 'channels.meta.json')
  if (!existsSync(file)) return undefined
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { channels: { name: string; actions: { name: string }[] }[] }
  return meta.channels.flatMap((c) => [c.name, ...c.actions.map((a) => `${c.name}/${a.name}`)])
}

/** The CLI's bundle folders in a temp dir (tsx keeps its cache there too). */
const bundleDirs = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('pikku-durable-channels-'))

const same = (expected: string[]) => (names: string[] | undefined) => (JSON.stringify(names) === JSON.stringify(expected) ? names : undefined)

describe('pikku-durable-channels watch', () => {
  it('regenerates when a wiring file or the wrangler config changes, and exits 0 on SIGINT', async () => {
    const dir = tempProject()
    // Its own temp dir, to see that the bundle folder is removed on the way out.
    const tmp = tempDir()
    running = startCli(['watch'], dir, { TMPDIR: tmp })
    const { output, child, exited } = running

    await waitFor('the first generation', () => (/watching .* for changes/.test(output.stdout) ? true : undefined))
    expect(bundleDirs(tmp)).toHaveLength(1)
    expect(output.stdout).toContain('wrote .pikku/channels.meta.json (1 channel, 1 action, 0 topics)')
    expect(output.stdout).toContain('watching src/index.ts with its imports, wrangler.toml and package.json for changes (Ctrl-C to stop)')
    expect(wired(dir)).toStrictEqual(['notes', 'notes/add'])

    // A file the entry imports.
    const channelFile = join(dir, 'src', 'notes.channel.ts')
    writeFileSync(channelFile, readFileSync(channelFile, 'utf8').replace('{ add: { func: add } }', '{ add: { func: add }, remove: { func: add } }'))
    await waitFor('the edited wiring', () => same(['notes', 'notes/add', 'notes/remove'])(wired(dir)))

    // The wrangler config, outside the import graph: main now names another entry.
    const config = join(dir, 'wrangler.toml')
    writeFileSync(config, readFileSync(config, 'utf8').replace('main = "src/index.ts"', 'main = "src/other.ts"'))
    await waitFor('the new main', () => same(['other'])(wired(dir)))
    expect(output.stderr).toBe('')

    child.kill('SIGINT')
    const exit = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('watch did not stop on SIGINT')), 10_000))])
    expect(exit).toStrictEqual({ code: 0, signal: null })
    expect(output.stderr).toBe('')
    expect(bundleDirs(tmp)).toStrictEqual([])
  }, 90_000)

  it('reports a broken save and goes on watching', async () => {
    const dir = tempProject()
    const tmp = tempDir()
    running = startCli(['watch', '--entry', 'src/index.ts'], dir, { TMPDIR: tmp })
    const { output, child, exited } = running
    await waitFor('the first generation', () => (/watching .* for changes/.test(output.stdout) ? true : undefined))
    expect(output.stdout).toContain('watching src/index.ts with its imports and package.json for changes')

    const channelFile = join(dir, 'src', 'notes.channel.ts')
    const good = readFileSync(channelFile, 'utf8')
    writeFileSync(channelFile, good.replace("route: '/notes/:id'", "route: '/notes/:id/:id'"))
    await waitFor('the wiring error', () => (output.stderr.includes('WiringError') ? true : undefined))
    expect(output.stderr).toMatch(/^pikku-durable-channels: loading src\/index\.ts failed: WiringError: .*\n {2}at src\/notes\.channel\.ts:\d+:\d+\n$/)

    writeFileSync(channelFile, good.replace("name: 'notes'", "name: 'notes2'"))
    await waitFor('the fixed wiring', () => same(['notes2', 'notes2/add'])(wired(dir)))

    child.kill('SIGTERM')
    expect(await exited).toStrictEqual({ code: 0, signal: null })
    expect(bundleDirs(tmp)).toStrictEqual([])
  }, 90_000)

  it('reports a main that names no file, and recovers when the config is fixed', async () => {
    const dir = tempProject()
    running = startCli(['watch'], dir)
    const { output, child, exited } = running
    await waitFor('the first generation', () => (/watching .* for changes/.test(output.stdout) ? true : undefined))

    const config = join(dir, 'wrangler.toml')
    const good = readFileSync(config, 'utf8')
    writeFileSync(config, good.replace('main = "src/index.ts"', 'main = "src/nope.ts"'))
    await waitFor('the missing entry', () => (output.stderr.includes('entry not found') ? true : undefined))
    expect(output.stderr).toBe('pikku-durable-channels: entry not found: src/nope.ts (main in wrangler.toml)\n')

    writeFileSync(config, good.replace('main = "src/index.ts"', 'main = "src/other.ts"'))
    await waitFor('the fixed main', () => same(['other'])(wired(dir)))

    child.kill('SIGINT')
    expect(await exited).toStrictEqual({ code: 0, signal: null })
  }, 90_000)

  it('picks up a new *.channel.ts (the bootstrap imports it), and recovers from a failed scan', async () => {
    const dir = tempProject(TYPED_FIXTURE, ['valibot'])
    running = startCli(['watch', '--entry', 'src/index.ts'], dir)
    const { output, child, exited } = running
    await waitFor('the first generation', () => (/watching .* for changes/.test(output.stdout) ? true : undefined))
    expect(wired(dir), output.stderr).toStrictEqual(['notes', 'notes/add', 'notes/count'])

    // Nothing imports it but the generated bootstrap, which gains it when the folder does.
    writeFileSync(join(dir, 'src', 'boards.channel.ts'), "import { wireChannel } from '#pikku/pikku-types.gen.js'\n\nwireChannel({ name: 'boards', route: '/boards' })\n")
    // esbuild polls watched folders, so a new file can take a few seconds on a loaded machine.
    await waitFor('the new channel', () => same(['boards', 'notes', 'notes/add', 'notes/count'])(wired(dir)), 45_000)
    // The bootstrap is written after the metadata: wait for it too.
    const bootstrap = join(dir, '.pikku', 'pikku-bootstrap.gen.ts')
    await waitFor('the new bootstrap', () => (readFileSync(bootstrap, 'utf8').includes("import '../src/boards.channel.js'") ? true : undefined))

    // Two services factories: told, and fixed by removing the second one.
    const second = join(dir, 'src', 'more-services.ts')
    writeFileSync(second, "import { pikkuServices } from '#pikku/pikku-types.gen.js'\n\nexport const more = pikkuServices(() => ({}))\n")
    await waitFor('the scan error', () => (output.stderr.includes('exported from more than one module') ? true : undefined), 45_000)
    writeFileSync(second, 'export const more = 1\n')
    const before = output.stdout.length
    await waitFor('the next generation', () => (output.stdout.slice(before).includes('pikku-types.gen.ts (Register: services, session, topics)') ? true : undefined), 45_000)

    child.kill('SIGINT')
    expect(await exited).toStrictEqual({ code: 0, signal: null })
  }, 180_000)

  it('exits 1 at once when the entry does not exist', async () => {
    const dir = tempProject()
    running = startCli(['watch', '--entry', 'src/nope.ts'], dir)
    expect(await running.exited).toStrictEqual({ code: 1, signal: null })
    expect(running.output.stderr).toBe('pikku-durable-channels: entry not found: src/nope.ts (from --entry src/nope.ts)\n')
  }, 30_000)
})
