import { afterEach, describe, expect, it, vi } from 'vitest'
import { forgetServicesFactory } from '../../src/cloudflare/services'
// Registers the fixture's factory now: the Worker's modules load lazily, at the first request,
// and a factory registered after the forgetting would be the one restored over.
import './fixture/services'
import { TestSocket } from './support/test-socket'

// A Worker whose entry forgot `import './services'`: the fixture imports it, so the test
// forgets the registered factory while a fresh instance builds its services.

const room = () => `m${crypto.randomUUID().slice(0, 8)}`

afterEach(() => vi.restoreAllMocks())

/** Joins a fresh needs-services instance whose object built its services with no factory registered. */
async function joinWithoutServices(): Promise<TestSocket> {
  const restore = forgetServicesFactory()
  try {
    // The upgrade builds the object's services; it keeps them for its life.
    return (await TestSocket.join(`/needs-services/${room()}`)).socket
  } finally {
    restore()
  }
}

describe('no pikkuServices factory registered in the isolate', () => {
  it('a handler reading a service gets INTERNAL, and the log names the service and the fix', async () => {
    const socket = await joinWithoutServices()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const answer = await socket.call('record', undefined, 'r1')
    expect(answer).toEqual({ type: 'error', action: 'record', id: 'r1', error: { code: 'INTERNAL', message: 'Internal error' } })
    const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)))
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'channel.handler_failed',
        channel: 'needs-services',
        where: 'record',
        error: expect.objectContaining({
          message:
            "services.lifecycle was read, but no services were registered in this isolate: import the module that calls pikkuServices(...) (e.g. './services') in your Worker entry before channels()",
        }),
      }),
    ])
    // The connection carries on; the built-ins it always has still work.
    socket.send({ action: '$ping', id: 'p' })
    expect(await socket.next()).toEqual({ type: 'pong', id: 'p' })
  })

  it('with the factory registered, the same action reads its service', async () => {
    const { socket } = await TestSocket.join(`/needs-services/${room()}`)
    expect(await socket.call('record', undefined, 'r2')).toEqual({ type: 'reply', action: 'record', id: 'r2', data: 'recorded' })
  })
})
