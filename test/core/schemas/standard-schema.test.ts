import { type } from 'arktype'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChannelError, WiringError } from '../../../src/core/errors'
import { parseWith } from '../../../src/core/schema'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelFunc, pikkuSessionlessFunc } from '../../../src/core/wiring/function'
import { toJson } from '../../../src/meta/json-schema'
import { openChannel } from '../support/harness'

async function invalid(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ChannelError)
  return error as ChannelError
}

describe('parseWith takes any Standard Schema validator', () => {
  it('zod: the output, transforms applied; issues with their paths', async () => {
    expect(await parseWith(z.object({ n: z.string().transform(Number) }), { n: '4' }, 'Input')).toStrictEqual({ n: 4 })
    const error = await invalid(parseWith(z.object({ todo: z.object({ text: z.string() }) }), { todo: { text: 1 } }, 'Input'))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.issues).toStrictEqual([{ message: expect.any(String), path: ['todo', 'text'] }])
    expect(error.message).toMatch(/^Input is invalid: /)
  })

  it('zod: an asynchronous refinement', async () => {
    const schema = z.string().refine(async (s) => s !== 'taken', 'That name is taken')
    expect(await parseWith(schema, 'free', 'Input')).toBe('free')
    expect((await invalid(parseWith(schema, 'taken', 'Input'))).issues).toStrictEqual([{ message: 'That name is taken', path: [] }])
  })

  it('arktype', async () => {
    const schema = type({ text: 'string', 'done?': 'boolean' })
    expect(await parseWith(schema, { text: 'milk' }, 'Input')).toStrictEqual({ text: 'milk' })
    const error = await invalid(parseWith(schema, { text: 5 }, 'Input'))
    expect(error.issues).toStrictEqual([{ message: expect.stringContaining('text'), path: ['text'] }])
  })
})

describe('actions validated by zod and arktype', () => {
  const create = pikkuChannelFunc({
    input: z.object({ text: z.string().min(1), tags: z.array(z.string()).default([]) }),
    func: async (_services, { text, tags }) => ({ text, tags }),
  })
  const rename = pikkuChannelFunc({
    input: type({ name: 'string > 0' }),
    output: type({ name: 'string' }),
    func: async (_services, { name }) => ({ name }),
  })

  it('validate and apply defaults before the handler runs', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { create, rename } })
    expect(await send({ action: 'create', id: 1, data: { text: 'milk' } })).toStrictEqual([{ type: 'reply', action: 'create', id: 1, data: { text: 'milk', tags: [] } }])
    expect(await send({ action: 'rename', id: 2, data: { name: 'ada' } })).toStrictEqual([{ type: 'reply', action: 'rename', id: 2, data: { name: 'ada' } }])
  })

  it('answer INVALID_INPUT with the issues, never INTERNAL', async () => {
    const { send } = await openChannel({ auth: false, onMessageWiring: { create, rename } })
    const [zodError] = (await send({ action: 'create', id: 1, data: { text: '' } })) as [{ error: { code: string; issues: unknown[] } }]
    expect(zodError.error.code).toBe('INVALID_INPUT')
    expect(zodError.error.issues).toStrictEqual([{ message: expect.any(String), path: ['text'] }])
    const [arkError] = (await send({ action: 'rename', id: 2, data: { name: 7 } })) as [{ error: { code: string; issues: unknown[] } }]
    expect(arkError.error.code).toBe('INVALID_INPUT')
    expect(arkError.error.issues).toStrictEqual([{ message: expect.any(String), path: ['name'] }])
  })

  it('validate opening data', async () => {
    const opened = await openChannel(
      { auth: false, openingData: z.object({ room: z.string() }), onConnect: async (_s: unknown, data: unknown) => data },
      { openingData: { room: 'general' } },
    )
    expect(opened.socket.frames()[0]).toMatchObject({ type: 'welcome', data: { room: 'general' } })
  })
})

describe('what is not a schema is refused where it is wired, naming the field', () => {
  it('a function input or output', () => {
    expect(() => pikkuSessionlessFunc({ input: { text: 'string' } as never, func: async () => 1 })).toThrow(
      new WiringError('pikkuSessionlessFunc: input must be a schema (valibot, or any Standard Schema validator such as zod or arktype), got an object'),
    )
    expect(() => pikkuChannelFunc({ output: 'string' as never, func: async () => 1 })).toThrow('pikkuChannelFunc: output must be a schema')
  })

  it("a channel's openingData, and a topic's schema", () => {
    expect(() => defineChannel({ name: 'x', route: '/x', openingData: { room: 'string' } })).toThrow(new WiringError('channel "x": openingData must be a schema (valibot, or any Standard Schema validator such as zod or arktype), got an object'))
    expect(() => defineChannel({ name: 'x', route: '/x', topics: { news: { schema: z.string().optional } as never } })).toThrow('channel "x": topics["news"].schema must be a schema')
  })
})

describe('metadata of schemas other than valibot', () => {
  it('says which library validates, and accepts anything', () => {
    expect(toJson(z.object({ a: z.string() }), 'input')).toStrictEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      description: 'External schema (zod): validated at run time, not described here',
      'x-schema-vendor': 'zod',
    })
    expect(toJson(type('string'), 'output')['x-schema-vendor']).toBe('arktype')
    expect(toJson(v.string(), 'input')).toMatchObject({ type: 'string' })
  })
})
