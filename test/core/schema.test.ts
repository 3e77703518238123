import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ChannelError } from '../../src/core/errors'
import { parseWith, toIssues } from '../../src/core/schema'

/** The ChannelError `parseWith` rejects with. */
async function invalid(schema: Parameters<typeof parseWith>[0], value: unknown): Promise<ChannelError> {
  try {
    await parseWith(schema, value, 'Input')
  } catch (error) {
    expect(error).toBeInstanceOf(ChannelError)
    return error as ChannelError
  }
  throw new Error('parseWith did not fail')
}

describe('parseWith', () => {
  it("returns the schema's output, transforms applied", async () => {
    expect(await parseWith(v.object({ n: v.pipe(v.string(), v.transform(Number)) }), { n: '4', extra: 1 }, 'Input')).toStrictEqual({ n: 4 })
  })

  it('rejects with INVALID_INPUT, the first issue in the message and every issue listed', async () => {
    const error = await invalid(v.object({ a: v.string(), b: v.number() }), { a: 1, b: 'x' })
    expect(error.toPayload()).toStrictEqual({
      code: 'INVALID_INPUT',
      message: 'Input is invalid: Invalid type: Expected string but received 1',
      issues: [
        { message: 'Invalid type: Expected string but received 1', path: ['a'] },
        { message: 'Invalid type: Expected number but received "x"', path: ['b'] },
      ],
    })
  })

  it('names the value being validated', async () => {
    await expect(parseWith(v.string(), 1, 'Opening data')).rejects.toThrow('Opening data is invalid: Invalid type: Expected string but received 1')
  })

  it('gives nested issues a path of keys and indexes', async () => {
    const error = await invalid(v.object({ items: v.array(v.object({ n: v.number() })) }), { items: [{ n: 1 }, { n: 'x' }] })
    expect(error.issues).toStrictEqual([{ message: 'Invalid type: Expected number but received "x"', path: ['items', 1, 'n'] }])
  })

  it('leaves out the path of a root issue', async () => {
    const error = await invalid(v.pipe(v.string(), v.minLength(3, 'Too short')), 'ab')
    expect(error.issues).toStrictEqual([{ message: 'Too short' }])
  })

  it('runs async schemas', async () => {
    const taken = v.pipeAsync(
      v.string(),
      v.checkAsync(async (name) => name !== 'admin', 'Name is taken'),
    )
    expect(await parseWith(taken, 'ada', 'Input')).toBe('ada')
    expect((await invalid(taken, 'admin')).issues).toStrictEqual([{ message: 'Name is taken' }])
  })
})

describe('toIssues', () => {
  it('drops a path that holds keys a client cannot read', () => {
    const key = {}
    const result = v.safeParse(v.map(v.object({}), v.number()), new Map([[key, 'x']]))
    expect(result.success).toBe(false)
    expect(toIssues(result.issues!)).toStrictEqual([{ message: 'Invalid type: Expected number but received "x"' }])
  })
})
