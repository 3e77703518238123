import { describe, expect, it } from 'vitest'
import { nestsDeeperThan } from '../../src/core/json-depth'

const nested = (depth: number) => {
  let value: unknown = 'leaf'
  for (let i = 0; i < depth; i++) value = i % 2 ? { child: value } : [value]
  return value
}

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false)
    expect(nestsDeeperThan({}, 0)).toBe(true)
    expect(nestsDeeperThan(nested(3), 3)).toBe(false)
    expect(nestsDeeperThan(nested(4), 3)).toBe(true)
  })

  it('finds the deep branch beside shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2], c: { d: nested(10) } }, 10)).toBe(true)
    expect(nestsDeeperThan({ a: 1, b: [1, 2], c: { d: nested(8) } }, 10)).toBe(false)
  })

  it('treats bytes as a leaf', () => {
    expect(nestsDeeperThan([new Uint8Array(8)], 1)).toBe(false)
  })

  it('checks 1,000,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(1_000_000), 100)).toBe(true)
    expect(() => JSON.stringify(nested(1_000_000))).toThrow(RangeError) // what it protects against
  })
})
