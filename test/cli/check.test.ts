import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { RULES, type Rule } from '../../src/cli/check/findings'
import { checkSource } from '../../src/cli/check/rules'
import { CliError } from '../../src/cli/errors'
import { loadTypeScript, parse, type TypeScript } from '../../src/cli/typescript'
import { BAD_WIRINGS, CLI_TIMEOUT, ROOT, runCli } from './support'

describe('pikku-durable-channels check, end to end', CLI_TIMEOUT, () => {
  it('finds each rule broken exactly once in the bad fixture, with file:line:column, and exits 1', () => {
    const result = runCli(['check', 'test/cli/fixtures/bad-wirings'])
    expect(result.status).toBe(1)
    const at = 'test/cli/fixtures/bad-wirings'
    expect(result.stdout.trimEnd().split('\n')).toStrictEqual([
      `${at}/functions/notes.function.ts:18:69: promise-chain: .then() in a function file: use await, with try/catch for errors`,
      `${at}/helpers.ts:4:22: function-file: pikkuFunc(...) outside functions/**/*.function.ts: define functions there and import them`,
      `${at}/indirect.channel.ts:7:10: config-indirection: channel route is not a string literal: hardcode it (no config indirection)`,
      `${at}/logic.channel.ts:5:1: wiring-logic: a function declaration in a wiring file: only imports and wireChannel/addChannelMiddleware calls belong here (logic goes in functions/**/*.function.ts)`,
      `${at}/misplaced.ts:4:1: wiring-file-name: wireChannel outside a *.channel.ts file: move this wiring into one`,
      `${at}/mixed.channel.ts:7:1: mixed-transports: wireHTTP beside wireChannel (line 4): one transport per wiring file, so move wireHTTP to a file of its own`,
      `${at}/services-import.channel.ts:3:1: wiring-import: imports "./services/db.js": wirings never import services (a function gets them as its first argument)`,
      `check: 7 problems in 7 of 11 files in ${at}`,
    ])
    const rules = result.stdout.match(/: ([a-z-]+): /g)?.map((match) => match.slice(2, -2))
    expect(rules?.sort()).toStrictEqual(Object.keys(RULES).sort())
    expect(result.stderr).toBe('')
  })

  it('passes the reference app, given its folder or (by default) the wrangler entry\'s', () => {
    for (const args of [['check', 'worker'], ['check']]) {
      const result = runCli(args)
      expect(result.stdout, args.join(' ')).toMatch(/^check: \d+ files in worker, no problems\n$/)
      expect(result.status).toBe(0)
    }
  })

  it('checks one file when given one', () => {
    const result = runCli(['check', join(BAD_WIRINGS, 'misplaced.ts')])
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('misplaced.ts:4:1: wiring-file-name:')
    expect(runCli(['check', 'worker/chat.channel.ts']).status).toBe(0)
  })

  it('exits 2 for a path that is not there, extra arguments, or options it does not take', () => {
    expect(runCli(['check', 'nope']).stderr).toBe('pikku-durable-channels: check: no such file or folder: nope\nRun "pikku-durable-channels --help" for usage.\n')
    for (const args of [['check', 'nope'], ['check', 'worker', 'more'], ['check', '--out', 'x'], ['check', '--verbose']]) expect(runCli(args).status, args.join(' ')).toBe(2)
  })
})

describe('check rules, one file at a time', () => {
  let ts: TypeScript
  beforeAll(async () => {
    ts = await loadTypeScript('the check tests')
  })

  /** `rule@line` for each finding in `text`, as if it were `<root>/<path>`. */
  const findings = (path: string, text: string): string[] => checkSource(ts, parse(ts, join(ROOT, 'app', path), text), join(ROOT, 'app')).map((f) => `${f.rule}@${f.line}`)
  const messages = (path: string, text: string): string[] => checkSource(ts, parse(ts, join(ROOT, 'app', path), text), join(ROOT, 'app')).map((f) => f.message)
  const wiring = (config: string) => `import { wireChannel } from '#pikku/pikku-types.gen.js'\nwireChannel(${config})\n`

  it('wiring-import: the generated types, function files, permissions and middleware pass; the library, services and anything else do not', () => {
    const allowed = [
      "import { wireChannel } from '#pikku/pikku-types.gen.js'",
      "import { wireChannel as w } from './.pikku/pikku-types.gen.js'",
      "import { a } from './functions/a.function.js'",
      "import { b } from './functions/deep/er/b.function'",
      "import { isAdmin } from './permissions.js'",
      "import { audit } from '../app/middleware'",
    ]
    expect(findings('a.channel.ts', allowed.join('\n'))).toStrictEqual([])
    const refused = [
      "import { wireChannel } from 'pikku-durable-channels'",
      "import * as v from 'valibot'",
      "import type { Room } from './room'",
      "import { db } from '../app/services'",
      "import './setup'",
      "import { a } from './lib/a.function.js'",
    ]
    expect(findings('a.channel.ts', refused.join('\n'))).toStrictEqual(['wiring-import@1', 'wiring-import@2', 'wiring-import@3', 'wiring-import@4', 'wiring-import@5', 'wiring-import@6'])
    expect(messages('a.channel.ts', refused[0]!)).toStrictEqual(['imports "pikku-durable-channels": import the adapter from the generated types (#pikku/pikku-types.gen.js)'])
  })

  it('config-indirection: name and route literals, the config an object literal, no spreads or computed keys', () => {
    expect(findings('a.channel.ts', wiring("{ name: 'a', route: `/a/:id`, auth: false, tags: ['x'] } as const"))).toStrictEqual([])
    expect(findings('a.channel.ts', wiring("{ name: NAME, route: '/a' }"))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', wiring("{ name, route: '/a' }"))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', route: `/${base}/a` }"))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', wiring('config'))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', wiring("{ ...shared, name: 'a' }"))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', onMessageWiring: { [ACTION]: f } }"))).toStrictEqual(['config-indirection@2'])
    expect(findings('a.channel.ts', "import { addChannelMiddleware } from '#pikku/pikku-types.gen.js'\naddChannelMiddleware(TAG, [audit])\n")).toStrictEqual(['config-indirection@2'])
  })

  it('wiring-logic: inline functions, calls and computed values in a config, and statements besides wirings', () => {
    expect(findings('a.channel.ts', wiring("{ name: 'a', authenticate: async () => undefined }"))).toStrictEqual(['wiring-logic@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', openingData: v.object({}) }"))).toStrictEqual(['wiring-logic@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', onConnect() {} }"))).toStrictEqual(['wiring-logic@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', limits: { maxMessageSize: 2 * 1024 } }"))).toStrictEqual(['wiring-logic@2'])
    expect(findings('a.channel.ts', wiring("{ name: 'a', onMessageWiring: { add: { func: fns.add, auth: false } }, rateLimit: { perSecond: -1 } }"))).toStrictEqual([])
    const statements = ['const room = 1', "export { a } from './functions/a.function.js'", 'interface X {}', 'if (x) {}', 'console.log(1)']
    expect(findings('a.channel.ts', statements.join('\n'))).toStrictEqual(['wiring-logic@1', 'wiring-logic@2', 'wiring-logic@3', 'wiring-logic@4', 'wiring-logic@5'])
    expect(findings('a.channel.ts', "export const chat = wireChannel({ name: 'chat' })\nexport default wireChannel({ name: 'b' })\nexport {}\n")).toStrictEqual([])
  })

  it('wiring-file-name and mixed-transports', () => {
    expect(findings('chat.ts', wiring("{ name: 'chat' }"))).toStrictEqual(['wiring-file-name@2'])
    expect(findings('jobs.channel.ts', "wireQueueWorker({ queue: 'jobs' })\n")).toStrictEqual(['mixed-transports@1'])
    expect(messages('jobs.channel.ts', "wireQueueWorker({ queue: 'jobs' })\n")).toStrictEqual([
      'wireQueueWorker beside a *.channel.ts file name: one transport per wiring file, so move wireQueueWorker to a file of its own',
    ])
    // Other transports outside channel files are not this command's business.
    expect(findings('http.ts', "wireHTTP({ route: '/x' })\n")).toStrictEqual([])
  })

  it('function-file: the function kinds only in functions/**/*.function.ts', () => {
    const define = 'export const f = pikkuChannelFunc(async () => undefined)\n'
    expect(findings('functions/chat/send.function.ts', define)).toStrictEqual([])
    expect(findings('functions/chat/send.ts', define)).toStrictEqual(['function-file@1'])
    expect(findings('chat/send.function.ts', define)).toStrictEqual(['function-file@1'])
    expect(findings('lib.ts', 'export const g = kinds.pikkuSessionlessFunc({ func: async () => 1 })\n')).toStrictEqual(['function-file@1'])
  })

  it('promise-chain: .then and .catch calls in function files only', () => {
    const text = 'export const f = pikkuFunc(async () => {\n  const a = await p.catch(() => 1)\n  return then(a)\n})\n'
    expect(findings('functions/a.function.ts', text)).toStrictEqual(['promise-chain@2'])
    expect(findings('functions/a.function.ts', 'load()?.then(show)\n')).toStrictEqual(['promise-chain@1'])
    expect(findings('lib/a.ts', 'load().then(show)\n')).toStrictEqual([])
  })

  it('says what is missing when typescript cannot be loaded', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'typescript'"))
    await expect(loadTypeScript('check', missing)).rejects.toThrow(
      new CliError("check needs the typescript package, which could not be loaded (Error: Cannot find package 'typescript'); install it in your project: npm install --save-dev typescript"),
    )
  })

  it('names every rule the checklist has', () => {
    const rules: Rule[] = ['wiring-file-name', 'wiring-import', 'mixed-transports', 'wiring-logic', 'config-indirection', 'function-file', 'promise-chain']
    expect(Object.keys(RULES)).toStrictEqual(rules)
  })
})
