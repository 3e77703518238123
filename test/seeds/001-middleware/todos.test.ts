import { describe, expect, it } from 'vitest'
import { TestSocket } from '../../workers/support/test-socket'
import { logged } from '../support/services'

// Seed 001's channel middleware: addTimestamp and filterSensitive on the `todos` tag, addTimestamp inline too.
describe('seed 001: channel middleware', () => {
  it('stamps sentAt on what a connection is sent (tagged and inline, in order) and logs before sending', async () => {
    const { socket } = await TestSocket.join('/todos')
    const reply = await socket.call('ping')
    expect(reply).toMatchObject({ type: 'reply', action: 'ping', data: { pong: true }, sentAt: expect.any(Number) })
    expect(logged.some((l) => (l.first as { phase?: string })?.phase === 'before-send')).toBe(true)
  })

  it('drops a frame marked internal, and lets the next one through', async () => {
    const { socket } = await TestSocket.join('/todos')
    socket.send({ action: 'secret', id: 's' })
    socket.send({ action: 'ping', id: 'p' })
    expect(await socket.next()).toMatchObject({ type: 'reply', id: 'p', data: { pong: true } })
    await socket.expectSilence()
  })
})
