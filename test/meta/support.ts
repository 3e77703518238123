import { fileURLToPath } from 'node:url'

/** Worker entries with unusual or broken wirings; the CLI tests load them too. */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** Every `$ref` in a document, with the JSON path where it sits. */
export function collectRefs(value: unknown, path = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => collectRefs(item, `${path}/${i}`))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at: path }] : collectRefs(item, `${path}/${key}`),
  )
}

/** Follows a local JSON pointer (`#/a/b~1c`); undefined when it leads nowhere. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined
  let node: unknown = document
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
