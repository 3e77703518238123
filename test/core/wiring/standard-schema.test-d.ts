import { type } from 'arktype'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { ActionsOf } from '../../../src/client/types'
import type { InputOf, OutputOf } from '../../../src/core/types'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { pikkuChannelFunc } from '../../../src/core/wiring/function'
import { wireChannel } from '../../../src/core/wiring/wire'

describe('zod and arktype schemas type an action, as valibot does', () => {
  it('zod: the handler gets the output type; the client sends the input type (defaults optional)', () => {
    const create = pikkuChannelFunc({
      input: z.object({ text: z.string(), tags: z.array(z.string()).default([]) }),
      func: async (_services, data) => {
        expectTypeOf(data).toEqualTypeOf<{ text: string; tags: string[] }>()
        // @ts-expect-error not in the schema
        void data.done
        return { id: 1, text: data.text }
      },
    })
    expectTypeOf<InputOf<typeof create>>().toEqualTypeOf<{ text: string; tags: string[] }>()
    expectTypeOf<OutputOf<typeof create>>().toEqualTypeOf<{ id: number; text: string }>()
    void defineChannel
    const channel = wireChannel({ name: 'todos-zod', route: '/todos-zod', onMessageWiring: { create } })
    type Create = ActionsOf<typeof channel>['create']
    expectTypeOf<Create['input']>().toEqualTypeOf<{ text: string; tags?: string[] | undefined }>()
    // @ts-expect-error text is required on the wire
    const missing: Create['input'] = { tags: [] }
    void missing
  })

  it('arktype: the same', () => {
    const rename = pikkuChannelFunc({
      input: type({ name: 'string', 'note?': 'string' }),
      func: async (_services, { name }) => name.length,
    })
    expectTypeOf<InputOf<typeof rename>>().toEqualTypeOf<{ name: string; note?: string }>()
    expectTypeOf<OutputOf<typeof rename>>().toEqualTypeOf<number>()
    pikkuChannelFunc({
      // @ts-expect-error the schema gives a string name; the handler wants a number
      input: type({ name: 'string' }),
      func: async (_services, { name }: { name: number }) => name,
    })
  })
})
