import { describe, expect, it } from 'vitest'
import { TestSocket } from './support/test-socket'

const room = () => `p${crypto.randomUUID().slice(0, 8)}`

async function as(token: string) {
  const { socket } = await TestSocket.join(`/vault/${room()}`, { Authorization: `Bearer ${token}` })
  return socket
}

const FORBIDDEN = { code: 'FORBIDDEN', message: 'Not permitted' }

describe('permissions', () => {
  it('single: allowed for an admin, denied for a reader', async () => {
    expect((await (await as('ada-token')).call('single')).data).toEqual({ ok: 'single' })
    expect((await (await as('bob-token')).call('single')).error).toEqual(FORBIDDEN)
  })

  it('any-of record: one passing key is enough', async () => {
    const bob = await as('bob-token')
    expect((await bob.call('anyOf', { owner: 'bob' })).data).toEqual({ ok: 'anyOf' }) // owner, not admin
    expect((await bob.call('anyOf', { owner: 'ada' })).error).toEqual(FORBIDDEN) // neither
    expect((await (await as('cy-token')).call('anyOf', { owner: 'ada' })).data).toEqual({ ok: 'anyOf' }) // admin, not owner
  })

  it('all-of array: every entry must pass', async () => {
    expect((await (await as('ada-token')).call('allOf')).data).toEqual({ ok: 'allOf' }) // admin and writer
    expect((await (await as('cy-token')).call('allOf')).error).toEqual(FORBIDDEN) // admin only
  })

  it('an action-level override replaces the function’s permissions', async () => {
    expect((await (await as('bob-token')).call('override')).data).toEqual({ ok: 'override' }) // reader, as the wiring says
    expect((await (await as('cy-token')).call('override')).error).toEqual(FORBIDDEN) // admin, which only the function asked for
  })

  it('authentication comes before permissions', async () => {
    const { socket } = await TestSocket.join(`/vault/${room()}`)
    expect((await socket.call('single')).error.code).toBe('UNAUTHENTICATED')
  })
})
