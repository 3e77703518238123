import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parseCommand, USAGE } from '../../src/cli/args'
import { CliError, failure, UsageError } from '../../src/cli/errors'
import { CLI_TIMEOUT, ROOT, runCli } from './support'

describe('pikku-durable-channels usage, end to end', CLI_TIMEOUT, () => {
  it('exits 2 for an unknown command, a missing command or an unknown option', () => {
    for (const args of [['frob'], [], ['gen', '--bogus'], ['info', 'things'], ['gen', 'extra'], ['gen', '--base', 'ws']]) {
      const result = runCli(args)
      expect(result.status, args.join(' ')).toBe(2)
      expect(result.stderr).toContain('--help')
      expect(result.stdout).toBe('')
    }
    expect(runCli(['frob']).stderr).toBe('pikku-durable-channels: unknown command "frob"\nRun "pikku-durable-channels --help" for usage.\n')
  })

  it('prints help with exit 0', () => {
    const result = runCli(['--help'])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/Usage: pikku-durable-channels <command>/)
    expect(result.stdout).toContain('info [channels]')
    expect(result.stdout).toContain('--base <path>')
    expect(result.stdout).toContain('--server-url <url>')
    expect(result.stdout).toContain('check [dir]')
    expect(result.stdout).toContain('  channel/pikku-channels-map.gen.d.ts')
    expect(result.stdout).toBe(`${USAGE}\n`)
  })

  it('runs from source with node --import tsx src/cli/main.ts, as in development', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(`${USAGE}\n`)
  })
})

describe('parseCommand', () => {
  it('gives each command its options and defaults', () => {
    expect(parseCommand(['gen'])).toStrictEqual({ name: 'gen', entry: undefined, out: undefined, base: undefined, server: undefined })
    expect(parseCommand(['watch', '--entry', 'a.ts', '--out', 'o'])).toStrictEqual({ name: 'watch', entry: 'a.ts', out: 'o', base: undefined, server: undefined })
    expect(parseCommand(['info', 'channels', '--verbose'])).toStrictEqual({ name: 'info', entry: undefined, verbose: true, base: undefined })
    expect(parseCommand(['info', 'channels'])).toStrictEqual({ name: 'info', entry: undefined, verbose: false, base: undefined })
    expect(parseCommand(['check'])).toStrictEqual({ name: 'check', entry: undefined, dir: undefined })
    expect(parseCommand(['check', 'src', '--entry', 'a.ts'])).toStrictEqual({ name: 'check', entry: 'a.ts', dir: 'src' })
  })

  it('makes channels the default subject of info', () => {
    expect(parseCommand(['info'])).toStrictEqual(parseCommand(['info', 'channels']))
    expect(parseCommand(['info', '--verbose', '--entry', 'a.ts'])).toStrictEqual({ name: 'info', entry: 'a.ts', verbose: true, base: undefined })
  })

  it('takes --base for gen, watch and info, and --server-url for gen and watch', () => {
    expect(parseCommand(['gen', '--base', '/ws', '--server-url', 'ws://127.0.0.1:8787'])).toStrictEqual({
      name: 'gen',
      entry: undefined,
      out: undefined,
      base: '/ws',
      server: { host: '127.0.0.1:8787', protocol: 'ws' },
    })
    expect(parseCommand(['watch', '--base', '/api/ws/', '--server-url', 'wss://chat.example.com/'])).toMatchObject({ base: '/api/ws', server: { host: 'chat.example.com', protocol: 'wss' } })
    expect(parseCommand(['info', '--base', '/ws'])).toStrictEqual({ name: 'info', entry: undefined, verbose: false, base: '/ws' })
    // "/" is no mount path at all.
    expect(parseCommand(['gen', '--base', '/'])).toMatchObject({ base: undefined })
  })

  it('asks for help with -h, --help or help, whatever else is there', () => {
    for (const argv of [['-h'], ['--help'], ['help'], ['gen', '--help'], ['frob', '-h']]) expect(parseCommand(argv), argv.join(' ')).toStrictEqual({ name: 'help' })
  })

  it('rejects options a command would ignore, and extra arguments', () => {
    const cases: [string[], string][] = [
      [['gen', '--verbose'], '--verbose does not apply to this command'],
      [['watch', '--verbose'], '--verbose does not apply to this command'],
      [['info', 'channels', '--out', 'x'], '--out does not apply to this command'],
      [['info', 'channels', 'more'], 'unexpected argument "more"'],
      [['gen', 'extra'], 'unexpected argument "extra"'],
      [['check', 'a', 'b'], 'unexpected argument "b"'],
      [['check', '--out', 'x'], '--out does not apply to this command'],
      [['check', '--verbose'], '--verbose does not apply to this command'],
      [['check', '--base', '/ws'], '--base does not apply to this command'],
      [['info', '--server-url', 'ws://h'], '--server-url does not apply to this command'],
      [['gen', '--base', 'ws'], '--base takes the path channels() is mounted at, like /ws (no ":", "{", "?" or "#"), got "ws"'],
      [['gen', '--base', '/ws/:room'], '--base takes the path channels() is mounted at, like /ws (no ":", "{", "?" or "#"), got "/ws/:room"'],
      [['gen', '--base', '/ws?x=1'], '--base takes the path channels() is mounted at, like /ws (no ":", "{", "?" or "#"), got "/ws?x=1"'],
      [['gen', '--base', '/a//b'], '--base takes the path channels() is mounted at, like /ws (no ":", "{", "?" or "#"), got "/a//b"'],
      [['gen', '--server-url', 'http://host'], '--server-url takes ws://host[:port] or wss://host[:port], with the mount path in --base; got "http://host"'],
      [['gen', '--server-url', 'ws://host/ws'], '--server-url takes ws://host[:port] or wss://host[:port], with the mount path in --base; got "ws://host/ws"'],
      [['gen', '--server-url', 'host:8787'], '--server-url takes ws://host[:port] or wss://host[:port], with the mount path in --base; got "host:8787"'],
      [['info', 'things'], 'unknown info subject "things" (try: info channels)'],
      [[], 'no command given'],
      [['frob'], 'unknown command "frob"'],
    ]
    for (const [argv, message] of cases) expect(() => parseCommand(argv), argv.join(' ')).toThrow(new UsageError(message))
  })

  it('turns parseArgs errors into usage errors', () => {
    expect(() => parseCommand(['gen', '--bogus'])).toThrow(UsageError)
    expect(() => parseCommand(['gen', '--entry'])).toThrow(UsageError)
  })
})

describe('failure', () => {
  it('maps usage errors to 2, other failures to 1; only unforeseen errors keep their stack', () => {
    expect(failure(new UsageError('bad'))).toStrictEqual({ code: 2, text: 'pikku-durable-channels: bad\nRun "pikku-durable-channels --help" for usage.\n' })
    expect(failure(new CliError('told'))).toStrictEqual({ code: 1, text: 'pikku-durable-channels: told\n' })
    const bug = failure(new TypeError('oops'))
    expect(bug.code).toBe(1)
    expect(bug.text).toMatch(/^pikku-durable-channels: TypeError: oops\n\s+at /)
  })
})
