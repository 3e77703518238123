import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES } from '../meta/support'
import { CLI_TIMEOUT, cleanup, generate, runCli, tempDir, tempProject, tempProjectWithOwnCopy, type Generated } from './support'

afterAll(cleanup)

describe('pikku-durable-channels gen on the reference app', CLI_TIMEOUT, () => {
  let first: Generated
  let second: Generated

  beforeAll(() => {
    first = generate()
    second = generate()
  }, 60_000)

  it('writes both files and says so', () => {
    expect(first.result.stdout).toContain(`wrote ${join(first.dir, 'channels.meta.json')} (2 channels, 8 actions, 4 topics)`)
    expect(first.result.stdout).toContain(`wrote ${join(first.dir, 'asyncapi.json')} (AsyncAPI 3.0.0)`)
    expect(first.result.stderr).toBe('')
  })

  it('is deterministic: two runs give byte-identical files', () => {
    expect(second.metaText).toBe(first.metaText)
    expect(second.asyncapiText).toBe(first.asyncapiText)
  })

  it('writes stable JSON: sorted keys, 2-space indent, trailing newline', () => {
    expect(first.metaText.endsWith('}\n')).toBe(true)
    expect(first.metaText.startsWith('{\n  "builtInActions": [')).toBe(true)
    expect(first.asyncapiText.startsWith('{\n  "asyncapi": "3.0.0",')).toBe(true)
  })

  it('describes the chat channel', () => {
    const [chat] = first.meta.channels
    expect(chat).toMatchObject({ name: 'chat', route: '/chat/:room', params: ['room'], auth: false, tags: ['chat'], limits: {} })
    expect(chat.actions.map((a: { name: string }) => a.name)).toStrictEqual(['edit', 'export', 'history', 'send', 'typing'])
    expect(chat.actions[3]).toMatchObject({ name: 'send', kind: 'channel', auth: false, title: 'Send a chat message', permissions: null })
    expect(chat.actions[3].output).toMatchObject({ type: 'object', required: ['id', 'author', 'text', 'at'] })
    // The export action's reply is a stream ref, in iii's shape.
    expect(chat.actions[1].output).toMatchObject({ type: 'object', required: ['channel_id', 'access_key', 'direction'] })
    expect(chat.topics.map((t: { topic: string }) => t.topic)).toStrictEqual(['chat:announcement', 'chat:edited', 'chat:message'])
    expect(chat.topics[0]).toMatchObject({ global: true, replay: true, schema: null })
    expect(chat.handlers.onConnect).toMatchObject({ kind: 'connect' })
  })

  it('leaves an unchanged file alone the next time', () => {
    const result = runCli(['gen', '--out', first.dir])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('unchanged')
  })

  it('is deterministic on unusual wirings too', () => {
    const entry = ['--entry', join(FIXTURES, 'kitchen-sink.ts')]
    const a = generate(entry)
    const b = generate(entry)
    expect(a.meta.channels.map((c: { name: string }) => c.name)).toStrictEqual(['a', 'a.b', 'todos'])
    expect(b.metaText).toBe(a.metaText)
    expect(b.asyncapiText).toBe(a.asyncapiText)
  })
})

describe('pikku-durable-channels gen --base and --server-url', CLI_TIMEOUT, () => {
  it('puts the mount path in front of every channel address, and adds the server; deterministically', () => {
    const args = ['--base', '/ws', '--server-url', 'ws://127.0.0.1:8787']
    const a = generate(args)
    const b = generate(args)
    expect(b.asyncapiText).toBe(a.asyncapiText)
    expect(a.asyncapi.channels.chat.address).toBe('/ws/chat/{room}')
    expect(Object.keys(a.asyncapi.channels.chat.parameters)).toStrictEqual(['room'])
    expect(a.asyncapi.channels.chat.description).toContain('wired at /chat/:room and served under /ws')
    expect(a.asyncapi.servers).toStrictEqual({ default: { host: '127.0.0.1:8787', protocol: 'ws', description: 'Given to gen with --server-url' } })
    // The metadata keeps the routes as wired: the mount belongs to the Worker, not to the channel.
    expect(a.meta.channels[0].route).toBe('/chat/:room')
    expect(a.result.stderr).toBe('')
  })

  it('without them: addresses are the routes and there is no servers block, as before', () => {
    const { asyncapi } = generate()
    expect(asyncapi.channels.chat.address).toBe('/chat/{room}')
    expect(asyncapi).not.toHaveProperty('servers')
  })

  it('takes --base alone (no servers block), and --server-url alone', () => {
    const based = generate(['--base', '/api/ws/'])
    expect(based.asyncapi.channels.chat.address).toBe('/api/ws/chat/{room}')
    expect(based.asyncapi).not.toHaveProperty('servers')
    const served = generate(['--server-url', 'wss://chat.example.com'])
    expect(served.asyncapi.channels.chat.address).toBe('/chat/{room}')
    expect(served.asyncapi.servers.default).toMatchObject({ host: 'chat.example.com', protocol: 'wss' })
  })

  it('exits 2 on a mount path that is not one', () => {
    const result = runCli(['gen', '--base', '/ws/:room', '--out', tempDir()])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--base takes the path channels() is mounted at')
  })
})

describe('pikku-durable-channels gen in another project', CLI_TIMEOUT, () => {
  it('loads the project through its installed pikku-durable-channels and names AsyncAPI after its package.json', () => {
    const project = tempProject()
    const { meta, asyncapi, result } = generate([], project)
    expect(meta.channels.map((c: { name: string }) => c.name)).toStrictEqual(['notes'])
    expect(asyncapi.info).toMatchObject({ title: 'watch-fixture', version: '1.0.0' })
    expect(result.stderr).toBe('')
  })

  it('warns, and still writes, when the entry wires nothing', () => {
    const project = tempProject()
    const { meta, result } = generate(['--entry', 'src/empty.ts'], project)
    expect(meta.channels).toStrictEqual([])
    expect(result.stdout).toContain('(0 channels, 0 actions, 0 topics)')
    expect(result.stderr).toMatch(/^warning: no channels are wired after importing src\/empty\.ts\./)
  })
})

describe('pikku-durable-channels gen errors', CLI_TIMEOUT, () => {
  it('exits 1 with a clear message when the entry does not exist', () => {
    const result = runCli(['gen', '--entry', 'worker/nope.ts', '--out', tempDir()])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/entry not found: worker\/nope\.ts/)
  })

  it('exits 1 when there is no wrangler.toml, or it has no main', () => {
    const empty = tempDir()
    const none = runCli(['gen'], empty)
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/no wrangler\.toml/)
    writeFileSync(join(empty, 'wrangler.toml'), 'name = "x"\n\n[vars]\nmain = "not-top-level.ts"\n')
    const noMain = runCli(['gen'], empty)
    expect(noMain.status).toBe(1)
    expect(noMain.stderr).toMatch(/wrangler\.toml has no "main"/)
    expect(existsSync(join(empty, '.pikku'))).toBe(false)
  })

  it('exits 1 showing the message of a wiring error thrown while loading', () => {
    const out = tempDir()
    const result = runCli(['gen', '--entry', join(FIXTURES, 'broken-wiring.ts'), '--out', out])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('WiringError: route "/broken/:a/:a" does not parse: parameter ":a" appears twice')
    expect(result.stderr).toMatch(/broken-wiring\.ts:\d+:\d+/)
    expect(existsSync(join(out, 'channels.meta.json'))).toBe(false)
  })

  it('exits 1 when the Worker imports another copy of pikku-durable-channels than the CLI', () => {
    const project = tempProjectWithOwnCopy()
    const result = runCli(['gen', '--out', tempDir()], project)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('src/index.ts loads pikku-durable-channels from another copy than this CLI')
  })

  it('exits 1 naming the file and line when the entry does not bundle', () => {
    const project = tempProject()
    writeFileSync(join(project, 'src', 'notes.channel.ts'), "import './missing'\n")
    const result = runCli(['gen', '--out', tempDir()], project)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('could not bundle src/index.ts:')
    expect(result.stderr).toMatch(/src\/notes\.channel\.ts:1:8: Could not resolve "\.\/missing"/)
  })
})
