import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../../src/core/errors'
import { callFunction, type CallRules, type CallScope } from '../../../src/core/runtime/call'
import type { PikkuFunction, Interaction, Services, Wire } from '../../../src/core/types'
import { pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { recordingLogger } from '../support/harness'

const interaction: Interaction = { kind: 'message', channel: 'test', route: '/test', channelId: 'c1', action: 'act' }

function scope(session?: Record<string, unknown>): CallScope {
  const wire: Wire = { session, setSession: () => {}, clearSession: () => {} }
  return { services: { logger: recordingLogger() } as unknown as Services, wire }
}

const rules = (overrides: Partial<CallRules> = {}): CallRules => ({ auth: false, permissions: undefined, middleware: [], ...overrides })

/** The error `callFunction` rejects with. */
async function failure(func: PikkuFunction, data: unknown, callRules: CallRules, callScope = scope()): Promise<Error> {
  try {
    await callFunction(func, data, callRules, callScope, () => interaction)
  } catch (error) {
    return error as Error
  }
  throw new Error('callFunction did not fail')
}

describe('callFunction', () => {
  const shout = pikkuSessionlessFunc({ input: v.object({ text: v.pipe(v.string(), v.toUpperCase()) }), func: async (_services, { text }) => `${text}!` })

  it('hands the function the validated, transformed input', async () => {
    expect(await callFunction(shout, { text: 'hi' }, rules(), scope(), () => interaction)).toBe('HI!')
  })

  it('passes data through untouched without an input schema', async () => {
    const data = { any: ['thing'] }
    const same = pikkuSessionlessFunc({ func: async (_services, received: unknown) => received })
    expect(await callFunction(same, data, rules(), scope(), () => interaction)).toBe(data)
  })

  it('hands the function the services and wire of the scope', async () => {
    const callScope = scope({ userId: 'u1' })
    const spy = pikkuSessionlessFunc({ func: async (services, _data, wire) => [services, wire] })
    expect(await callFunction(spy, undefined, rules(), callScope, () => interaction)).toStrictEqual([callScope.services, callScope.wire])
  })

  it('checks the session before validating input', async () => {
    const error = await failure(shout, { text: 1 }, rules({ auth: true }))
    expect(error).toBeInstanceOf(ChannelError)
    expect((error as ChannelError).code).toBe('UNAUTHENTICATED')
    expect(await callFunction(shout, { text: 'ok' }, rules({ auth: true }), scope({ userId: 'u1' }), () => interaction)).toBe('OK!')
  })

  it('validates input before checking permissions', async () => {
    const checked: unknown[] = []
    const permissions = { record: (_services: Services, data: unknown) => (checked.push(data), true) }
    const error = await failure(shout, { text: 1 }, rules({ permissions }))
    expect((error as ChannelError).code).toBe('INVALID_INPUT')
    expect(checked).toStrictEqual([])
    await callFunction(shout, { text: 'hi' }, rules({ permissions }), scope(), () => interaction)
    expect(checked).toStrictEqual([{ text: 'HI' }])
  })

  it('rejects FORBIDDEN when permissions deny', async () => {
    const error = await failure(shout, { text: 'hi' }, rules({ permissions: { no: () => false } }))
    expect((error as ChannelError).toPayload()).toStrictEqual({ code: 'FORBIDDEN', message: 'Not permitted' })
  })

  it('reports an output mismatch as a plain Error, never INVALID_INPUT', async () => {
    const lying = pikkuSessionlessFunc({ output: v.string(), func: async () => 42 as unknown as string })
    const error = await failure(lying, undefined, rules())
    expect(error).not.toBeInstanceOf(ChannelError)
    expect(error.message).toBe('output of act does not match its schema: Output is invalid: Invalid type: Expected string but received 42')
  })

  it('returns the result through middleware', async () => {
    const seen: unknown[] = []
    const func = pikkuSessionlessFunc({ func: async () => 'result' })
    const result = await callFunction(func, undefined, rules({ middleware: [async (_s, i, next) => (seen.push(i), next())] }), scope(), () => interaction)
    expect(result).toBe('result')
    expect(seen).toStrictEqual([interaction])
  })
})
