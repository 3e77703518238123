import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../../src/core/errors'
import type { ChannelServices, Wire } from '../../../src/core/types'
import { pikkuChannelFunc, pikkuFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { createConnection, openChannel } from '../support/harness'
import { SESSION_REQUIRED } from '../../../src/core/runtime/call'

const echo = pikkuSessionlessFunc({ func: async (_services, data: unknown) => data })
const noop = pikkuSessionlessFunc({ func: async () => undefined })
/** A channel with a couple of working actions; tests add what they need. */
const actions = { echo, noop }

const GOOD = { action: 'echo', id: 'ok', data: 'still here' }
const GOOD_REPLY = { type: 'reply', action: 'echo', id: 'ok', data: 'still here' }

describe('connect', () => {
  it("sends welcome first, carrying onConnect's result", async () => {
    const { socket } = await openChannel({ onConnect: async () => ({ room: 'general' }) })
    expect(socket.frames()).toStrictEqual([{ type: 'welcome', channelId: 'conn-1', data: { room: 'general' } }])
  })

  it('sends welcome without data when there is no onConnect', async () => {
    const { socket, conn } = await openChannel({})
    expect(socket.sent).toStrictEqual(['{"type":"welcome","channelId":"conn-1"}'])
    expect(conn.state).toBe('open')
    expect(socket.saved.at(-1)!.state).toBe('open')
  })

  it('delivers what onConnect sends after the welcome', async () => {
    const states: string[] = []
    const { socket } = await openChannel({
      onConnect: async ({ channel }: ChannelServices) => {
        states.push(channel.state)
        channel.send({ early: 1 })
        channel.send({ early: 2 })
        return 'hi'
      },
    })
    expect(socket.frames()).toStrictEqual([
      { type: 'welcome', channelId: 'conn-1', data: 'hi' },
      { type: 'message', data: { early: 1 } },
      { type: 'message', data: { early: 2 } },
    ])
    expect(states).toStrictEqual(['initial'])
  })

  it('hands onConnect the opening data', async () => {
    const { socket } = await openChannel({ onConnect: async (_services: unknown, data: unknown) => data }, { openingData: { room: 'a' } })
    expect(socket.frames()).toStrictEqual([{ type: 'welcome', channelId: 'conn-1', data: { room: 'a' } }])
  })
})

describe('replies', () => {
  it('correlates a reply with a string id', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'echo', id: '7', data: { text: 'hi' } })).toStrictEqual([{ type: 'reply', action: 'echo', id: '7', data: { text: 'hi' } }])
  })

  it('correlates a reply with a number id', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'echo', id: 42, data: 1 })).toStrictEqual([{ type: 'reply', action: 'echo', id: 42, data: 1 }])
  })

  it('replies without an id when there is a result', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'echo', data: 'x' })).toStrictEqual([{ type: 'reply', action: 'echo', data: 'x' }])
  })

  it('passes the flat form as input', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'echo', id: 1, topic: 'news' })).toStrictEqual([{ type: 'reply', action: 'echo', id: 1, data: { topic: 'news' } }])
  })

  it('sends nothing without an id and a result', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'noop' })).toStrictEqual([])
  })

  it('acknowledges an undefined result when there is an id', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action: 'noop', id: 'a1' })).toStrictEqual([{ type: 'reply', action: 'noop', id: 'a1' }])
  })

  it('routes on a custom routing key', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { kind: actions } })
    expect(await send({ kind: 'echo', id: 1, action: 'x' })).toStrictEqual([{ type: 'reply', action: 'echo', id: 1, data: { action: 'x' } }])
  })
})

describe('bad frames answer with an error and keep the connection', () => {
  const failing = {
    boom: async () => {
      throw new Error('database exploded')
    },
    forbidden: async () => {
      throw new ChannelError('FORBIDDEN', 'Not your room')
    },
    typed: pikkuSessionlessFunc({ input: v.object({ text: v.string(), tags: v.array(v.string()) }), func: async ({}, { text }) => text }),
  }

  it.each([
    ['text that is not JSON', 'hello', { type: 'error', error: { code: 'BAD_MESSAGE', message: 'Frame is not valid JSON' } }],
    ['a JSON array', '[1,2]', { type: 'error', error: { code: 'BAD_MESSAGE', message: 'Frame must be a JSON object' } }],
    ['a frame without action', '{"id":"3","data":{}}', { type: 'error', id: '3', error: { code: 'BAD_MESSAGE', message: 'Frame has no "action"' } }],
    ['a bad id', '{"action":"echo","id":[1]}', { type: 'error', action: 'echo', error: { code: 'BAD_MESSAGE', message: '"id" must be a string (up to 128 characters) or a finite number' } }],
    ['an unknown action', '{"action":"nope","id":4}', { type: 'error', action: 'nope', id: 4, error: { code: 'UNKNOWN_ACTION', message: 'Unknown action "nope". Actions: boom, echo, forbidden, noop, typed' } }],
  ])('%s', async (_what, text, error) => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { ...actions, ...failing } })
    expect(await send(text)).toStrictEqual([error])
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'])('answers UNKNOWN_ACTION for the prototype name %s', async (action) => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await send({ action, id: 1 })).toStrictEqual([{ type: 'error', action, id: 1, error: { code: 'UNKNOWN_ACTION', message: `Unknown action "${action}". Actions: echo, noop` } }])
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it('truncates a long unknown action in the message', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: actions })
    const action = 'x'.repeat(100)
    const [frame] = (await send({ action })) as { error: { message: string } }[]
    expect(frame!.error.message).toBe(`Unknown action "${'x'.repeat(63)}…". Actions: echo, noop`)
  })

  it('suggests the closest action only when it is close enough to be a typo', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { add: echo, list: echo, subscribeAll: echo } })
    const message = async (action: string) => ((await send({ action, id: 1 })) as { error: { message: string } }[])[0]!.error.message
    expect(await message('ad')).toBe('Unknown action "ad"; did you mean "add"? Actions: add, list, subscribeAll')
    expect(await message('Lsit')).toBe('Unknown action "Lsit". Actions: add, list, subscribeAll')
    expect(await message('lst')).toBe('Unknown action "lst"; did you mean "list"? Actions: add, list, subscribeAll')
    expect(await message('subscribeal')).toBe('Unknown action "subscribeal"; did you mean "subscribeAll"? Actions: add, list, subscribeAll')
    expect(await message('remove')).toBe('Unknown action "remove". Actions: add, list, subscribeAll')
    // Near a long name, but sent at 10 KB: echoed capped, and not compared at all.
    expect(await message(`add${'d'.repeat(10_000)}`)).toBe(`Unknown action "add${'d'.repeat(60)}…". Actions: add, list, subscribeAll`)
  })

  it('lists at most 20 action names, counting the rest', async () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`action${String(i).padStart(2, '0')}`, echo]))
    const { send } = await openChannel({ auth: false, onMessageWiring: many })
    const [frame] = (await send({ action: 'zzz', id: 1 })) as { error: { message: string } }[]
    const listed = Array.from({ length: 20 }, (_, i) => `action${String(i).padStart(2, '0')}`).join(', ')
    expect(frame!.error.message).toBe(`Unknown action "zzz". Actions: ${listed} and 5 more`)
  })

  it('says so when the channel has no actions to list', async () => {
    const { send } = await openChannel({ auth: false })
    expect(await send({ action: 'anything', id: 1 })).toStrictEqual([
      { type: 'error', action: 'anything', id: 1, error: { code: 'UNKNOWN_ACTION', message: 'Unknown action "anything"; this channel has no actions' } },
    ])
  })

  it('answers INVALID_INPUT with issues and their paths', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { ...actions, ...failing } })
    expect(await send({ action: 'typed', id: 5, data: { text: 1, tags: ['a', 2] } })).toStrictEqual([
      {
        type: 'error',
        action: 'typed',
        id: 5,
        error: {
          code: 'INVALID_INPUT',
          message: 'Input is invalid: Invalid type: Expected string but received 1',
          issues: [
            { message: 'Invalid type: Expected string but received 1', path: ['text'] },
            { message: 'Invalid type: Expected string but received 2', path: ['tags', 1] },
          ],
        },
      },
    ])
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it('answers INTERNAL without details and logs the error with its stack', async () => {
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: { ...actions, ...failing } })
    const frames = await send({ action: 'boom', id: 6 })
    expect(frames).toStrictEqual([{ type: 'error', action: 'boom', id: 6, error: { code: 'INTERNAL', message: 'Internal error' } }])
    expect(JSON.stringify(frames)).not.toContain('database exploded')
    expect(logger.entries).toHaveLength(1)
    const [entry] = logger.entries
    expect(entry).toMatchObject({ level: 'error', message: 'channel.handler_failed', fields: { channel: 'test', channelId: 'conn-1', where: 'boom' } })
    const logged = entry!.fields!.error as Error
    expect(logged).toBeInstanceOf(Error)
    expect(logged.message).toBe('database exploded')
    expect(logged.stack).toContain('database exploded')
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it("answers a thrown ChannelError with its code, without logging", async () => {
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: { ...actions, ...failing } })
    expect(await send({ action: 'forbidden', id: 7 })).toStrictEqual([
      { type: 'error', action: 'forbidden', id: 7, error: { code: 'FORBIDDEN', message: 'Not your room' } },
    ])
    expect(logger.entries).toStrictEqual([])
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it('answers BINARY_NOT_SUPPORTED for a binary frame without onBinaryMessage', async () => {
    const { send, sendBinary } = await openChannel({ auth: false, onMessageWiring: actions })
    expect(await sendBinary(new Uint8Array([1, 2]).buffer)).toStrictEqual([
      { type: 'error', error: { code: 'BINARY_NOT_SUPPORTED', message: 'Channel "test" does not accept binary frames' } },
    ])
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  describe('TOO_LARGE', () => {
    const TOO_LARGE = { type: 'error', error: { code: 'TOO_LARGE', message: "Frame is larger than this channel's limit of 64 bytes" } }
    const frameWith = (text: string) => `{"action":"echo","data":"${text}"}` // 27 characters around the text

    it('rejects a text frame over maxMessageSize', async () => {
      const { send } = await openChannel({ auth: false, maxMessageSize: 64, onMessageWiring: actions })
      expect(await send(frameWith('e'.repeat(37)))).toStrictEqual([{ type: 'reply', action: 'echo', data: 'e'.repeat(37) }]) // 64 bytes
      expect(await send(frameWith('e'.repeat(38)))).toStrictEqual([TOO_LARGE]) // 65 bytes
      expect(await send({ action: 'echo', id: 'ok', data: 1 })).toStrictEqual([{ type: 'reply', action: 'echo', id: 'ok', data: 1 }])
    })

    it('counts UTF-8 bytes, not UTF-16 units', async () => {
      const { send } = await openChannel({ auth: false, maxMessageSize: 64, onMessageWiring: actions })
      const text = frameWith('é'.repeat(30)) // 57 units, 87 bytes
      expect(text.length).toBeLessThan(64)
      expect(await send(text)).toStrictEqual([TOO_LARGE])
      expect(await send({ action: 'echo', id: 'ok', data: 1 })).toStrictEqual([{ type: 'reply', action: 'echo', id: 'ok', data: 1 }])
    })

    it('rejects a binary frame over maxMessageSize', async () => {
      const received: number[] = []
      const { send, sendBinary } = await openChannel({
        auth: false,
        maxMessageSize: 64,
        onMessageWiring: actions,
        onBinaryMessage: async (_services: unknown, bytes: Uint8Array) => void received.push(bytes.byteLength),
      })
      expect(await sendBinary(new ArrayBuffer(65))).toStrictEqual([TOO_LARGE])
      expect(await sendBinary(new ArrayBuffer(64))).toStrictEqual([])
      expect(received).toStrictEqual([64])
      expect(await send({ action: 'echo', id: 'ok', data: 1 })).toStrictEqual([{ type: 'reply', action: 'echo', id: 'ok', data: 1 }])
    })
  })
})

describe('onMessage', () => {
  const onMessage = async (_services: unknown, data: unknown) => ({ got: data })

  it('receives frames without an action', async () => {
    const { send } = await openChannel({ auth: false, onMessage })
    expect(await send({ id: 1, text: 'hi' })).toStrictEqual([{ type: 'reply', id: 1, data: { got: { text: 'hi' } } }])
  })

  it('receives frames whose action is not wired', async () => {
    const { send } = await openChannel({ auth: false, onMessage, onMessageWiring: actions })
    expect(await send({ action: 'shout', id: 2, text: 'hi' })).toStrictEqual([{ type: 'reply', action: 'shout', id: 2, data: { got: { text: 'hi' } } }])
    expect(await send({ action: 'echo', id: 3, data: 'x' })).toStrictEqual([{ type: 'reply', action: 'echo', id: 3, data: 'x' }])
  })

  it('follows the channel auth', async () => {
    const { send } = await openChannel({ onMessage })
    expect(await send({ id: 1 })).toStrictEqual([{ type: 'error', id: 1, error: { code: 'UNAUTHENTICATED', message: 'This call needs a session: set one with wire.setSession(...) or services.setSession(...), or in an upgrade authenticate; or mark the channel or action auth: false' } }])
  })
})

describe('built-in actions', () => {
  it('answers $ping with pong', async () => {
    const { send } = await openChannel({ onMessageWiring: actions })
    expect(await send({ action: '$ping' })).toStrictEqual([{ type: 'pong' }])
    expect(await send({ action: '$ping', id: 'p1' })).toStrictEqual([{ type: 'pong', id: 'p1' }])
  })

  it('answers $ping even on a channel with onMessage', async () => {
    const { send } = await openChannel({ auth: false, onMessage: async () => 'fallback' })
    expect(await send({ action: '$ping', id: 2 })).toStrictEqual([{ type: 'pong', id: 2 }])
  })

  it('reads built-in actions from "action" on a channel with a custom routing key', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { kind: actions } })
    expect(await send({ action: '$ping', id: 1 })).toStrictEqual([{ type: 'pong', id: 1 }])
    // The routing key works for them too.
    expect(await send({ kind: '$ping', id: 2 })).toStrictEqual([{ type: 'pong', id: 2 }])
  })

  it('answers an unknown $ action with UNKNOWN_ACTION', async () => {
    const { send } = await openChannel({ auth: false, onMessage: async () => 'fallback' })
    expect(await send({ action: '$foo', id: 1 })).toStrictEqual([
      { type: 'error', action: '$foo', id: 1, error: { code: 'UNKNOWN_ACTION', message: 'Unknown built-in action "$foo". Built-in actions: $ping, $presence, $subscribe, $unsubscribe' } },
    ])
  })
})

describe('binary', () => {
  it('hands onBinaryMessage a Uint8Array and sends returned bytes as a binary frame', async () => {
    let received: unknown
    const { sendBinary } = await openChannel({
      auth: false,
      onBinaryMessage: async (_services: unknown, data: Uint8Array) => {
        received = data
        return data.map((b) => b * 2)
      },
    })
    const frames = await sendBinary(new Uint8Array([1, 2, 3]).buffer)
    expect(received).toBeInstanceOf(Uint8Array)
    expect([...(received as Uint8Array)]).toStrictEqual([1, 2, 3])
    expect(frames).toHaveLength(1)
    expect(frames[0]).toBeInstanceOf(Uint8Array)
    expect([...(frames[0] as Uint8Array)]).toStrictEqual([2, 4, 6])
  })

  it('sends a non-binary result of onBinaryMessage as a message frame', async () => {
    const { sendBinary } = await openChannel({ auth: false, onBinaryMessage: async (_services: unknown, data: Uint8Array) => ({ size: data.byteLength }) })
    expect(await sendBinary(new ArrayBuffer(5))).toStrictEqual([{ type: 'message', data: { size: 5 } }])
  })

  it('channel.send(bytes, true) and channel.send(text, true) send bytes', async () => {
    const bytes = new Uint8Array([7, 8])
    const { send } = await openChannel({
      auth: false,
      onMessageWiring: {
        blast: async ({ channel }: ChannelServices) => {
          channel.send(bytes, true)
          channel.send('hé', true)
          channel.send({ as: 'json' })
        },
      },
    })
    const frames = await send({ action: 'blast' })
    expect(frames).toHaveLength(3)
    expect(frames[0]).toBe(bytes)
    expect(frames[1]).toBeInstanceOf(Uint8Array)
    expect([...(frames[1] as Uint8Array)]).toStrictEqual([0x68, 0xc3, 0xa9])
    expect(frames[2]).toStrictEqual({ type: 'message', data: { as: 'json' } })
  })

  it('answers INTERNAL when channel.send(data, true) gets something that is not bytes', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { bad: async ({ channel }: ChannelServices) => channel.send({ a: 1 }, true) } })
    expect(await send({ action: 'bad', id: 1 })).toStrictEqual([{ type: 'error', action: 'bad', id: 1, error: { code: 'INTERNAL', message: 'Internal error' } }])
  })
})

describe('close', () => {
  function counting() {
    const events: string[] = []
    const onDisconnect = async () => void events.push('disconnect')
    return { events, onDisconnect }
  }

  it('channel.close closes the socket and runs onDisconnect once; later frames are ignored', async () => {
    const { events, onDisconnect } = counting()
    const { send, socket, runtime, conn } = await openChannel({
      auth: false,
      onDisconnect,
      onMessageWiring: {
        ...actions,
        leave: async ({ channel }: ChannelServices) => {
          channel.close(4000, 'bye')
          return 'too late'
        },
      },
    })
    expect(await send({ action: 'leave', id: 1 })).toStrictEqual([]) // the reply after close is dropped
    expect(socket.closes).toStrictEqual([{ code: 4000, reason: 'bye' }])
    expect(events).toStrictEqual(['disconnect'])
    expect(conn.state).toBe('closed')
    expect(socket.saved.at(-1)!.state).toBe('closed')
    expect(await send(GOOD)).toStrictEqual([])
    await runtime.closed(conn) // the peer's close arrives afterwards
    expect(events).toStrictEqual(['disconnect'])
    expect(socket.closes).toHaveLength(1)
  })

  it('closes with 1000 and no reason by default', async () => {
    const { socket, runtime, conn } = await openChannel({})
    await runtime.close(conn)
    expect(socket.closes).toStrictEqual([{ code: 1000, reason: '' }])
  })

  it('clamps a long close reason', async () => {
    const { socket, runtime, conn } = await openChannel({})
    await runtime.close(conn, 4000, 'é'.repeat(100))
    expect(socket.closes).toStrictEqual([{ code: 4000, reason: 'é'.repeat(61) }])
  })

  it('runs onDisconnect once when the peer closes twice', async () => {
    const { events, onDisconnect } = counting()
    const { runtime, conn, socket } = await openChannel({ onDisconnect })
    await runtime.closed(conn)
    await runtime.closed(conn)
    expect(events).toStrictEqual(['disconnect'])
    expect(socket.closes).toStrictEqual([]) // the peer closed; nothing to send
  })

  it.each([1001, 1011, 2000])('channel.close(%i) throws a RangeError and leaves the connection open', async (code) => {
    const { send, socket, conn } = await openChannel({
      auth: false,
      onMessageWiring: {
        close: async ({ channel }: ChannelServices) => {
          try {
            channel.close(code)
          } catch (error) {
            return error instanceof RangeError ? (error as Error).message : 'other error'
          }
          return 'no error'
        },
      },
    })
    expect(await send({ action: 'close', id: 1 })).toStrictEqual([
      { type: 'reply', action: 'close', id: 1, data: `channel.close: code ${code} is not allowed; use 1000 or 3000-4999` },
    ])
    expect(socket.closes).toStrictEqual([])
    expect(conn.state).toBe('open')
  })

  it('closes with 1011 when onConnect throws, without welcome or onDisconnect', async () => {
    const { events, onDisconnect } = counting()
    const { socket, conn, logger } = await openChannel({
      onConnect: async () => {
        throw new Error('no database')
      },
      onDisconnect,
    })
    expect(socket.sent).toStrictEqual([])
    expect(socket.closes).toStrictEqual([{ code: 1011, reason: 'Internal error' }])
    expect(conn.state).toBe('closed')
    expect(events).toStrictEqual([])
    expect(logger.entries).toMatchObject([{ level: 'error', fields: { where: 'onConnect' } }])
  })

  it.each([
    ['UNAUTHENTICATED', 4401],
    ['FORBIDDEN', 4403],
    ['INVALID_INPUT', 4400],
    ['RATE_LIMITED', 4429],
  ] as const)('closes with the matching 4xxx code when onConnect throws %s', async (code, closeCode) => {
    const { events, onDisconnect } = counting()
    const { socket } = await openChannel({
      onConnect: async () => {
        throw new ChannelError(code, 'Who are you?')
      },
      onDisconnect,
    })
    expect(socket.sent).toStrictEqual([])
    expect(socket.closes).toStrictEqual([{ code: closeCode, reason: 'Who are you?' }])
    expect(events).toStrictEqual([])
  })

  it('runs onDisconnect once, after onConnect, when onConnect closes the channel', async () => {
    const events: string[] = []
    const { socket, conn } = await openChannel({
      onConnect: async ({ channel }: ChannelServices) => {
        events.push('connect:start')
        channel.close(4000, 'full')
        channel.send('dropped')
        await Promise.resolve()
        events.push('connect:end')
        return 'welcome data'
      },
      onDisconnect: async () => void events.push('disconnect'),
    })
    expect(events).toStrictEqual(['connect:start', 'connect:end', 'disconnect'])
    expect(socket.sent).toStrictEqual([])
    expect(socket.closes).toStrictEqual([{ code: 4000, reason: 'full' }])
    expect(conn.state).toBe('closed')
  })

  it('runs onDisconnect once, after onConnect, when the peer closes during onConnect', async () => {
    const events: string[] = []
    let peerClose: Promise<void> | undefined
    const { runtime, conn, socket } = createConnection({
      onConnect: async ({ channel }: ChannelServices): Promise<void> => {
        events.push('connect:start')
        peerClose = runtime.closed(conn)
        await Promise.resolve()
        events.push(`connect:end (${channel.state})`)
      },
      onDisconnect: async () => void events.push('disconnect'),
    })
    await runtime.connect(conn)
    await peerClose
    expect(events).toStrictEqual(['connect:start', 'connect:end (closed)', 'disconnect'])
    expect(socket.sent).toStrictEqual([])
    expect(socket.closes).toStrictEqual([])
  })

  it('logs an onDisconnect failure without throwing', async () => {
    const { runtime, conn, logger } = await openChannel({
      onDisconnect: async () => {
        throw new Error('cleanup failed')
      },
    })
    await expect(runtime.closed(conn)).resolves.toBeUndefined()
    expect(logger.entries).toMatchObject([{ level: 'error', message: 'channel.handler_failed', fields: { where: 'onDisconnect' } }])
  })
})

describe('sessions', () => {
  const login = pikkuSessionlessFunc({
    input: v.object({ userId: v.string() }),
    func: async (_services, { userId }, wire: Wire) => wire.setSession({ userId }),
  })
  const logout = pikkuSessionlessFunc({ func: async (_services, _data, wire: Wire) => wire.clearSession() })
  const whoami = pikkuFunc<unknown, unknown>({ func: async (_services, _data, wire) => wire.session.userId })
  const UNAUTHENTICATED = { type: 'error', action: 'whoami', id: 'w', error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } }

  it('applies setSession from the very next message, and clearSession too', async () => {
    const { send, socket } = await openChannel({ auth: false, onMessageWiring: { login, logout, whoami } })
    expect(await send({ action: 'whoami', id: 'w' })).toStrictEqual([UNAUTHENTICATED])

    expect(await send({ action: 'login', id: 'l', userId: 'u1' })).toStrictEqual([{ type: 'reply', action: 'login', id: 'l' }])
    expect(socket.saved.at(-1)).toMatchObject({ channelId: 'conn-1', state: 'open', session: { userId: 'u1' } })
    expect(await send({ action: 'whoami', id: 'w' })).toStrictEqual([{ type: 'reply', action: 'whoami', id: 'w', data: 'u1' }])

    expect(await send({ action: 'logout', id: 'o' })).toStrictEqual([{ type: 'reply', action: 'logout', id: 'o' }])
    expect(socket.saved.at(-1)).not.toHaveProperty('session')
    expect(await send({ action: 'whoami', id: 'w' })).toStrictEqual([UNAUTHENTICATED])
  })

  it('uses a session restored with the connection', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { whoami } }, { session: { userId: 'restored' } })
    expect(await send({ action: 'whoami', id: 'w' })).toStrictEqual([{ type: 'reply', action: 'whoami', id: 'w', data: 'restored' }])
  })

  it('treats setSession(undefined) as clearSession', async () => {
    const { send, socket } = await openChannel(
      { auth: false, onMessageWiring: { whoami, unset: async (_services: unknown, _data: unknown, wire: Wire) => wire.setSession(undefined as never) } },
      { session: { userId: 'u1' } },
    )
    await send({ action: 'unset' })
    expect(socket.saved.at(-1)).not.toHaveProperty('session')
    expect(await send({ action: 'whoami', id: 'w' })).toStrictEqual([UNAUTHENTICATED])
  })
})

describe('output validation', () => {
  it('answers INTERNAL (not INVALID_INPUT) and logs when the output does not match its schema', async () => {
    const broken = pikkuChannelFunc({ output: v.object({ count: v.number() }), func: async () => ({ count: 'many' }) as never })
    const { send, logger } = await openChannel({ auth: false, onMessageWiring: { broken, echo } })
    expect(await send({ action: 'broken', id: 1 })).toStrictEqual([{ type: 'error', action: 'broken', id: 1, error: { code: 'INTERNAL', message: 'Internal error' } }])
    expect(logger.entries).toHaveLength(1)
    expect((logger.entries[0]!.fields!.error as Error).message).toBe(
      'output of broken does not match its schema: Output is invalid: Invalid type: Expected number but received "many"',
    )
    expect(await send(GOOD)).toStrictEqual([GOOD_REPLY])
  })

  it('sends the output schema result', async () => {
    const rounded = pikkuChannelFunc({ output: v.pipe(v.number(), v.transform(Math.round)), func: async () => 2.6 })
    const { send } = await openChannel({ auth: false, onMessageWiring: { rounded, echo } })
    expect(await send({ action: 'rounded', id: 1 })).toStrictEqual([{ type: 'reply', action: 'rounded', id: 1, data: 3 }])
  })
})

describe('services', () => {
  it('gives handlers the singletons, the logger and the channel handle', async () => {
    let seen: ChannelServices & { greeting?: string } = undefined as never
    const { send, logger } = await openChannel(
      { auth: false, onMessageWiring: { look: async (services: typeof seen) => void (seen = services), echo } },
      { services: { greeting: 'hello' }, openingData: { room: 'r' } },
    )
    await send({ action: 'look' })
    expect(seen.greeting).toBe('hello')
    expect(seen.logger).toBe(logger)
    expect(seen.channel).toMatchObject({ channelId: 'conn-1', openingData: { room: 'r' }, state: 'open' })
    expect(typeof seen.rpc.invoke).toBe('function')
  })
})
