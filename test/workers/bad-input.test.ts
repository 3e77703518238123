import { describe, expect, it } from 'vitest'
import { logs } from './fixture/services'
import { TestSocket } from './support/test-socket'

const room = () => `b${crypto.randomUUID().slice(0, 8)}`

/**
 * Opens two connections to one instance: `victim` gets the bad input,
 * `bystander` must never notice.
 */
async function pair(path = `/lab/${room()}`) {
  const victim = await TestSocket.join(path)
  const bystander = await TestSocket.join(path)
  await victim.socket.next() // onConnect's early message
  await bystander.socket.next()
  return { victim: victim.socket, bystander: bystander.socket }
}

/** The connection still answers, and the other one saw nothing. */
async function stillFine(victim: TestSocket, bystander: TestSocket) {
  expect((await victim.call('echo', { still: 'here' })).data).toEqual({ still: 'here' })
  await bystander.expectSilence()
  expect((await bystander.call('echo', 1)).data).toBe(1)
}

/** What an unknown action's error lists: the lab channel's actions. */
const LAB_ACTIONS = 'Actions: boom, bytes, deny, echo, kick, login, logout, order, rpcSecret, secret, strict, whoami'

const cases: [string, unknown, Record<string, unknown>][] = [
  ['not JSON', '{"action": "echo", ', { type: 'error', error: { code: 'BAD_MESSAGE', message: 'Frame is not valid JSON' } }],
  ['JSON that is not an object', '[1,2,3]', { type: 'error', error: { code: 'BAD_MESSAGE', message: 'Frame must be a JSON object' } }],
  ['JSON null', 'null', { type: 'error', error: { code: 'BAD_MESSAGE', message: 'Frame must be a JSON object' } }],
  ['no action', { id: 'n1', data: {} }, { type: 'error', id: 'n1', error: { code: 'BAD_MESSAGE', message: 'Frame has no "action"' } }],
  ['an action that is not a string', { action: 42, id: 'n2' }, { type: 'error', id: 'n2', error: { code: 'BAD_MESSAGE', message: '"action" must be a non-empty string' } }],
  ['an unknown action', { action: 'fly', id: 'u1' }, { type: 'error', action: 'fly', id: 'u1', error: { code: 'UNKNOWN_ACTION', message: `Unknown action "fly". ${LAB_ACTIONS}` } }],
  ['toString', { action: 'toString', id: 'p1' }, { type: 'error', action: 'toString', id: 'p1', error: { code: 'UNKNOWN_ACTION', message: `Unknown action "toString". ${LAB_ACTIONS}` } }],
  ['__proto__', '{"action":"__proto__","id":"p2"}', { type: 'error', action: '__proto__', id: 'p2', error: { code: 'UNKNOWN_ACTION', message: `Unknown action "__proto__". ${LAB_ACTIONS}` } }],
  ['constructor', { action: 'constructor', id: 'p3' }, { type: 'error', action: 'constructor', id: 'p3', error: { code: 'UNKNOWN_ACTION', message: `Unknown action "constructor". ${LAB_ACTIONS}` } }],
  ['a typo of an action', { action: 'ecko', id: 'u2' }, { type: 'error', action: 'ecko', id: 'u2', error: { code: 'UNKNOWN_ACTION', message: `Unknown action "ecko"; did you mean "echo"? ${LAB_ACTIONS}` } }],
  ['a typo of a built-in', { action: '$subscrib', id: 'r2' }, { type: 'error', action: '$subscrib', id: 'r2', error: { code: 'UNKNOWN_ACTION', message: 'Unknown built-in action "$subscrib"; did you mean "$subscribe"? Built-in actions: $ping, $presence, $subscribe, $unsubscribe' } }],
  ['an unknown built-in', { action: '$teleport', id: 'r1' }, { type: 'error', action: '$teleport', id: 'r1', error: { code: 'UNKNOWN_ACTION', message: 'Unknown built-in action "$teleport". Built-in actions: $ping, $presence, $subscribe, $unsubscribe' } }],
  [
    'input failing its schema',
    { action: 'strict', id: 's1', data: { n: 'two' } },
    {
      type: 'error',
      action: 'strict',
      id: 's1',
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('Invalid type'), issues: [{ message: expect.stringContaining('Invalid type'), path: ['n'] }] },
    },
  ],
  ['a handler throwing a ChannelError', { action: 'deny', id: 'd1' }, { type: 'error', action: 'deny', id: 'd1', error: { code: 'FORBIDDEN', message: 'Not for you' } }],
]

describe('bad input gets a typed error; the connection and its neighbours carry on', () => {
  for (const [name, frame, expected] of cases) {
    it(name, async () => {
      const { victim, bystander } = await pair()
      victim.send(frame)
      expect(await victim.next()).toEqual(expected)
      await stillFine(victim, bystander)
    })
  }

  it('a handler that throws: INTERNAL without the stack; the log has it', async () => {
    const { victim, bystander } = await pair()
    const reply = await victim.call('boom', undefined, 'b1')
    expect(reply).toEqual({ type: 'error', action: 'boom', id: 'b1', error: { code: 'INTERNAL', message: 'Internal error' } })
    expect(JSON.stringify(reply)).not.toContain('kaboom')
    const entry = logs.find((l) => l.level === 'error' && (l.fields?.error as Error | undefined)?.message === 'kaboom: secret detail')
    expect(entry?.message).toBe('channel.handler_failed')
    expect((entry?.fields?.error as Error).stack).toContain('lab.channel.ts')
    await stillFine(victim, bystander)
  })

  it('binary to a channel without onBinaryMessage: BINARY_NOT_SUPPORTED', async () => {
    const path = '/plain'
    const victim = await TestSocket.join(path)
    const bystander = await TestSocket.join(path)
    victim.socket.send(new Uint8Array([1, 2, 3]))
    expect(await victim.socket.next()).toEqual({ type: 'error', error: { code: 'BINARY_NOT_SUPPORTED', message: 'Channel "plain" does not accept binary frames' } })
    victim.socket.send({ action: '$ping', id: 1 })
    expect(await victim.socket.next()).toEqual({ type: 'pong', id: 1 })
    await bystander.socket.expectSilence()
  })

  it('text over the channel limit: TOO_LARGE', async () => {
    const { victim, bystander } = await pair()
    victim.send({ action: 'echo', id: 'big', data: 'x'.repeat(2000) })
    expect(await victim.next()).toEqual({ type: 'error', error: { code: 'TOO_LARGE', message: "Frame is larger than this channel's limit of 1024 bytes" } })
    await stillFine(victim, bystander)
  })

  it('text under the limit in characters but over it in UTF-8 bytes: TOO_LARGE', async () => {
    const { victim, bystander } = await pair()
    victim.send({ action: 'echo', data: 'é'.repeat(500) }) // ~520 characters, ~1020 bytes of é alone
    expect(await victim.next()).toMatchObject({ type: 'error', error: { code: 'TOO_LARGE' } })
    await stillFine(victim, bystander)
  })

  it('binary over the channel limit: TOO_LARGE', async () => {
    const { victim, bystander } = await pair()
    victim.send(new Uint8Array(1025))
    expect(await victim.next()).toMatchObject({ type: 'error', error: { code: 'TOO_LARGE' } })
    await stillFine(victim, bystander)
  })

  it('a frame past the platform limit closes that connection with 1009, and only that one', async () => {
    const path = '/plain'
    const victim = await TestSocket.join(path)
    const bystander = await TestSocket.join(path)
    victim.socket.send(new Uint8Array(33 * 1024 * 1024))
    expect((await victim.socket.closeInfo(10_000)).code).toBe(1009)
    bystander.socket.send({ action: '$ping', id: 'alive' })
    expect(await bystander.socket.next()).toEqual({ type: 'pong', id: 'alive' })
  })
})

describe('binary', () => {
  it('goes to onBinaryMessage; bytes it returns come back as a binary frame', async () => {
    const { victim } = await pair()
    victim.send(new Uint8Array([1, 2, 3, 4]))
    expect(await victim.next()).toEqual(new Uint8Array([4, 3, 2, 1]))
  })

  it('channel.send(bytes, true) sends a binary frame, in order with JSON ones', async () => {
    const { victim } = await pair()
    victim.send({ action: 'bytes', id: 'x' })
    expect(await victim.next()).toEqual(new Uint8Array([1, 2, 3]))
    expect(await victim.next()).toEqual({ type: 'message', data: { after: 'bytes' } })
    expect(await victim.next()).toEqual({ type: 'reply', action: 'bytes', id: 'x' })
  })
})
