import { afterEach, describe, expect, it, vi } from 'vitest'
import { createConsoleLogger } from '../../src/core/logger'

const lines = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map(([line]) => JSON.parse(line as string))

afterEach(() => vi.restoreAllMocks())

describe('createConsoleLogger', () => {
  it('writes a message with its fields as one JSON line', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    createConsoleLogger({ app: 'chat' }).info('joined', { room: 'general' })
    expect(lines(log)).toStrictEqual([{ level: 'info', app: 'chat', message: 'joined', room: 'general' }])
  })

  it("takes an object on its own, as seed 001 logs ({ phase, event })", () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    createConsoleLogger().info({ phase: 'before-send', event: { type: 'reply' } })
    expect(lines(log)).toStrictEqual([{ level: 'info', phase: 'before-send', event: { type: 'reply' } }])
  })

  it('keeps what an error needs, and extra values under meta', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const logger = createConsoleLogger()
    logger.error('failed', { error: new Error('boom') })
    logger.error(new Error('bare'))
    logger.warn('odd', 42, 'x')
    const [failed, bare] = lines(error)
    expect(failed).toMatchObject({ level: 'error', message: 'failed', error: { name: 'Error', message: 'boom', stack: expect.any(String) } })
    expect(bare).toMatchObject({ level: 'error', error: { message: 'bare' } })
    expect(lines(warn)).toStrictEqual([{ level: 'warn', message: 'odd', meta: [42, 'x'] }])
  })
})
