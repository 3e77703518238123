import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, FIXTURES, generate, runCli, tempDir, type Generated } from './support'

afterAll(cleanup)

describe('pikku-durable-channels gen on the reference app', () => {
  let first: Generated
  let second: Generated

  beforeAll(() => {
    first = generate()
    second = generate()
  }, 60_000)

  it('writes both files and says so', () => {
    expect(first.result.stdout).toContain(`wrote ${join(first.dir, 'channels.meta.json')} (1 channel, 2 actions, 2 topics)`)
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
    expect(chat.actions.map((a: { name: string }) => a.name)).toStrictEqual(['history', 'send'])
    expect(chat.actions[1]).toMatchObject({ name: 'send', kind: 'channel', auth: false, title: 'Send a chat message', permissions: null, output: null })
    expect(chat.topics.map((t: { topic: string }) => t.topic)).toStrictEqual(['chat:announcement', 'chat:message'])
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
  }, 60_000)
})

describe('pikku-durable-channels errors', () => {
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

  it('exits 2 for an unknown command, a missing command or an unknown option', () => {
    for (const args of [['frob'], [], ['gen', '--bogus'], ['info'], ['info', 'things'], ['gen', 'extra']]) {
      const result = runCli(args)
      expect(result.status, args.join(' ')).toBe(2)
      expect(result.stderr).toContain('--help')
    }
    expect(runCli(['frob']).stderr).toContain('unknown command "frob"')
  })

  it('prints help with exit 0', () => {
    const result = runCli(['--help'])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/Usage: pikku-durable-channels <command>/)
    expect(result.stdout).toContain('info channels')
  })
})

describe('pikku-durable-channels info channels', () => {
  it('prints a table of channels, routes and actions', () => {
    const result = runCli(['info', 'channels'])
    expect(result.status).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^CHANNEL\s+ROUTE\s+ACTIONS$/)
    expect(lines[2]).toMatch(/^chat\s+\/chat\/:room\s+history, send$/)
  })

  it('adds auth, permissions, topics and limits with --verbose', () => {
    const result = runCli(['info', 'channels', '--verbose', '--entry', join(FIXTURES, 'kitchen-sink.ts')])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^CHANNEL\s+ROUTE\s+AUTH\s+HANDLERS\s+ACTIONS\s+TOPICS\s+LIMITS$/m)
    expect(result.stdout).toContain('todo/create session perm:both(2)|isAdmin')
    expect(result.stdout).toContain('staff session perm:isAdmin replay')
    expect(result.stdout).toContain('maxMessageSize: 1024')
    expect(result.stdout).toContain('rateLimit: off')
  })
})
