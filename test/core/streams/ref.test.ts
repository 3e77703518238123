import { describe, expect, it } from 'vitest'
import { isStreamRef, newAccessKey, newStreamId, sameKey } from '../../../src/core/streams/ref'

const ref = () => ({ channel_id: newStreamId(), access_key: newAccessKey(), direction: 'read' as const })

describe('stream refs', () => {
  it('are plain JSON in iii\'s shape, and survive a trip through it', () => {
    const made = ref()
    expect(Object.keys(made).sort()).toEqual(['access_key', 'channel_id', 'direction'])
    expect(isStreamRef(JSON.parse(JSON.stringify(made)))).toBe(true)
  })

  it.each([
    ['no key', { channel_id: newStreamId(), direction: 'read' }],
    ['no id', { access_key: newAccessKey(), direction: 'write' }],
    ['a wrong direction', { ...ref(), direction: 'both' }],
    ['a bad id', { ...ref(), channel_id: '../etc' }],
    ['an uppercase id', { ...ref(), channel_id: newStreamId().toUpperCase() }],
    ['a short key', { ...ref(), access_key: 'abc' }],
    ['not an object', 'ref'],
  ])('are not recognised with %s', (_, value) => {
    expect(isStreamRef(value)).toBe(false)
  })

  it('keys are 256 random bits, base64url, different each time', () => {
    const keys = new Set(Array.from({ length: 100 }, newAccessKey))
    expect(keys.size).toBe(100)
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('sameKey compares whole keys', () => {
    const key = newAccessKey()
    expect(sameKey(key, key)).toBe(true)
    expect(sameKey(key, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBe(false)
    expect(sameKey(key, key.slice(1))).toBe(false)
  })
})
