import type * as v from 'valibot'
import { expectTypeOf, test } from 'vitest'
import type { StreamRefSchema, StreamRef } from '../../../src/core/streams/ref'
import type { StreamChannel } from '../../../src/cloudflare/streams/create'

test('StreamRefSchema validates exactly a StreamRef', () => {
  expectTypeOf<v.InferOutput<typeof StreamRefSchema>>().toEqualTypeOf<StreamRef>()
})

test("a channel's refs are StreamRefs, and its ends have the documented methods", () => {
  expectTypeOf<StreamChannel['readerRef']>().toEqualTypeOf<StreamRef>()
  expectTypeOf<StreamChannel['writer']['write']>().parameter(0).toEqualTypeOf<Uint8Array | ArrayBuffer | string>()
  expectTypeOf<StreamChannel['reader']['readAll']>().returns.resolves.toEqualTypeOf<Uint8Array<ArrayBuffer>>()
})
