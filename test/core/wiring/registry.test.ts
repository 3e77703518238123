import { describe, expect, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { registry } from '../../../src/core/wiring/registry'
import { wireRPC, wireChannel } from '../../../src/core/wiring/wire'

// These tests share the module-global registry and run in order; the last one seals it.
const onMessage = async () => {}

describe('registry', () => {
  it('registers a wired channel under its name', () => {
    const chat = wireChannel({ name: 'chat', route: '/chat/:room', onMessage })
    expect(registry.channels.get('chat')).toBe(chat)
  })

  it('rejects a channel name wired twice', () => {
    expect(() => wireChannel({ name: 'chat', route: '/other', onMessage })).toThrow(
      new WiringError('channel name "chat" is wired twice; channel names must be unique'),
    )
  })

  it('rejects a second channel whose route has the same shape', () => {
    expect(() => wireChannel({ name: 'talk', route: '/chat/:id', onMessage })).toThrow(
      new WiringError('channels "chat" (/chat/:room) and "talk" (/chat/:id) have the same route; a path could not tell them apart'),
    )
    expect(registry.channels.has('talk')).toBe(false)
  })

  it('accepts a static route next to a parameter at the same place', () => {
    wireChannel({ name: 'lobby', route: '/chat/lobby', onMessage })
    expect([...registry.channels.keys()]).toStrictEqual(['chat', 'lobby'])
  })

  it('registers rpc functions, and the same function twice under one name', () => {
    const ping = pikkuSessionlessFunc({ func: async () => 'pong' })
    wireRPC({ ping })
    wireRPC({ ping })
    expect(registry.functions.get('ping')).toBe(ping)
  })

  it('rejects an rpc name wired to a different function', () => {
    const other = pikkuSessionlessFunc({ func: async () => 'other' })
    expect(() => wireRPC({ ping: other })).toThrow(new WiringError('rpc name "ping" is wired twice to different functions'))
  })

  it('rejects an rpc entry that is not a pikku function', () => {
    expect(() => wireRPC({ plain: (async () => 1) as never })).toThrow(
      new WiringError('wireRPC: "plain" must be a function made with pikkuFunc or pikkuSessionlessFunc'),
    )
  })

  it('rejects wiring after the registry is sealed, naming who sealed it', () => {
    registry.seal('channels()')
    registry.seal('a later reader') // the first sealer is the one reported
    expect(() => wireChannel({ name: 'late', route: '/late', onMessage })).toThrow(
      new WiringError(`wireChannel({ name: 'late' }) ran after channels() had read the wirings; import your *.channel.ts files before calling it`),
    )
    expect(() => wireRPC({ late: pikkuSessionlessFunc({ func: async () => 1 }) })).toThrow(
      new WiringError(`wireRPC({ late }) ran after channels() had read the wirings; import your *.channel.ts files before calling it`),
    )
    expect(registry.channels.has('late')).toBe(false)
  })
})
