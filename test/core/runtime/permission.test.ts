import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { checkPermissions, pikkuPermission } from '../../../src/core/runtime/permission'
import type { PikkuPermission, Services, Wire } from '../../../src/core/types'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { openChannel } from '../support/harness'
import { SESSION_REQUIRED } from '../../../src/core/runtime/call'

const allow = pikkuPermission(async () => true)
const deny = pikkuPermission(() => false)
const check = (permissions: Record<string, PikkuPermission | PikkuPermission[]>) => checkPermissions(permissions, {} as Services, undefined, {} as Wire)

describe('checkPermissions', () => {
  it('allows when there are no permissions', async () => {
    expect(await check({})).toBe(true)
  })

  it('allows when any one key passes', async () => {
    expect(await check({ admin: deny, owner: allow })).toBe(true)
    expect(await check({ admin: deny, owner: deny })).toBe(false)
  })

  it('needs every entry of an array', async () => {
    expect(await check({ both: [allow, allow] })).toBe(true)
    expect(await check({ both: [allow, deny] })).toBe(false)
    expect(await check({ both: [allow, deny], fallback: allow })).toBe(true)
  })

  it('stops an array at the first failure', async () => {
    const calls: string[] = []
    const spy = (name: string, result: boolean) => () => (calls.push(name), result)
    expect(await check({ group: [spy('a', false), spy('b', true)] })).toBe(false)
    expect(calls).toStrictEqual(['a'])
  })
})

describe('permissions on a channel action', () => {
  const isOwner = pikkuPermission<{ room: string }>(async (_services, data, wire) => wire.session?.userId === data.room)
  const rename = pikkuChannelFunc({ input: v.object({ room: v.pipe(v.string(), v.toLowerCase()) }), permissions: { isOwner }, func: async () => 'renamed' })
  const login = async (_services: Services, data: { userId: string }, wire: Wire) => wire.setSession({ userId: data.userId })

  it('answers FORBIDDEN when denied, and runs the action when allowed', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { rename, login } })
    expect(await send({ action: 'rename', id: 1, room: 'ada' })).toStrictEqual([
      { type: 'error', action: 'rename', id: 1, error: { code: 'FORBIDDEN', message: 'Not permitted' } },
    ])
    await send({ action: 'login', userId: 'ada' })
    // The permission sees the validated input: "ADA" is lower-cased first.
    expect(await send({ action: 'rename', id: 2, room: 'ADA' })).toStrictEqual([{ type: 'reply', action: 'rename', id: 2, data: 'renamed' }])
  })

  it("lets the wiring's permissions replace the function's", async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { rename: { func: rename, permissions: { anyone: allow } }, login } })
    expect(await send({ action: 'rename', id: 1, room: 'ada' })).toStrictEqual([{ type: 'reply', action: 'rename', id: 1, data: 'renamed' }])
  })

  it('checks authentication before permissions', async () => {
    const { send } = await openChannel({ onMessageWiring: { rename: { func: rename, permissions: { never: deny } }, login } })
    expect(await send({ action: 'rename', id: 1, room: 'ada' })).toStrictEqual([
      { type: 'error', action: 'rename', id: 1, error: { code: 'UNAUTHENTICATED', message: SESSION_REQUIRED } },
    ])
  })
})
