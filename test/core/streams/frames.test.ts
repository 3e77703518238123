import { describe, expect, it } from 'vitest'
import { cutFrames, encodeAck, encodeCredit, parseAck, parseCredit } from '../../../src/core/streams/frames'
import { MAX_FRAME_BYTES } from '../../../src/core/streams/limits'

describe('frames', () => {
  it.each([
    [0, []],
    [1, [1]],
    [MAX_FRAME_BYTES, [MAX_FRAME_BYTES]],
    [MAX_FRAME_BYTES + 1, [MAX_FRAME_BYTES, 1]],
    [3 * MAX_FRAME_BYTES - 5, [MAX_FRAME_BYTES, MAX_FRAME_BYTES, MAX_FRAME_BYTES - 5]],
  ])('%i bytes are cut into frames of %j bytes', (size, sizes) => {
    expect(cutFrames(new Uint8Array(size)).map((f) => f.byteLength)).toEqual(sizes)
  })

  it('frames are copies, in order', () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => i)
    const frames = cutFrames(bytes, 64)
    bytes.fill(0)
    expect(frames.map((f) => f[0])).toEqual([0, 64, 128, 192])
  })

  it('credit and ack frames round-trip, and anything else is not one', () => {
    expect(parseCredit(encodeCredit({ credit: 72, received: 8 }))).toEqual({ credit: 72, received: 8 })
    expect(parseAck(encodeAck(9))).toBe(9)
    for (const text of ['', 'nope', '{"ack":-1}', '{"ack":1.5}', '{"ack":"2"}', 'null', '[1]', '{"credit":1}']) {
      expect(parseAck(text)).toBeUndefined()
      expect(parseCredit(text)).toBeUndefined()
    }
  })
})
