/**
 * Whether a value nests objects and arrays deeper than `max` levels. A walk
 * with its own stack, not recursion: the value may be hostile, and checking it
 * must not overflow the stack the way `JSON.stringify` or structured clone
 * would (a 100,000-deep body). Stops at the first level too deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]]
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!
    if (typeof next !== 'object' || next === null || ArrayBuffer.isView(next) || next instanceof ArrayBuffer) continue
    if (depth >= max) return true
    for (const child of Array.isArray(next) ? next : Object.values(next)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1])
    }
  }
  return false
}
