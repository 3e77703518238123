/**
 * JSON text that depends only on the value: object keys sorted (deeply, by
 * UTF-16 code unit, as `Array.prototype.sort` does), arrays in their own
 * order, 2-space indented, ending with a newline. Same source, same bytes,
 * so generated files diff cleanly and CI can compare them.
 */
export function stableStringify(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`
}

function sortKeys(value: unknown): unknown {
  const plain = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value
  if (Array.isArray(plain)) return plain.map(sortKeys)
  if (plain === null || typeof plain !== 'object') return plain
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(plain).sort()) {
    // Own data properties only; `__proto__` as a key stays a key.
    Object.defineProperty(sorted, key, { value: sortKeys((plain as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true })
  }
  return sorted
}
