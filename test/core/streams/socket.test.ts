import { describe, expect, it } from 'vitest'
import { holdingMessages, type StreamSocket } from '../../../src/core/streams/socket'

/** A socket whose events the test fires by hand, synchronously, as `ws` does. */
function handFired() {
  const listeners: Record<string, ((event: any) => void)[]> = {}
  const socket: StreamSocket = {
    binaryType: 'arraybuffer',
    send: () => undefined,
    close: () => undefined,
    addEventListener: (type: string, listener: (event: any) => void) => void (listeners[type] ??= []).push(listener),
  }
  return { socket, fire: (type: string, event: unknown) => listeners[type]?.forEach((l) => l(event)) }
}

describe('holdingMessages', () => {
  it('keeps what came before the end listened (a promise chain later), in order, and the close after it', async () => {
    const { socket, fire } = handFired()
    const held = holdingMessages(socket)
    fire('message', { data: 'credit' })
    fire('message', { data: 'frame' })
    fire('close', { code: 4902, reason: 'expired' })
    const seen: string[] = []
    await Promise.resolve()
    await Promise.resolve()
    held.addEventListener('message', ({ data }) => seen.push(String(data)))
    held.addEventListener('close', ({ code }) => seen.push(`close ${code}`))
    expect(seen).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(seen).toEqual(['credit', 'frame', 'close 4902'])
    fire('message', { data: 'later' })
    expect(seen.at(-1)).toBe('later')
  })
})
