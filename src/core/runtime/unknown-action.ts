import type { ErrorPayload } from '../protocol/frames'
import { truncate } from '../truncate'

/** How many characters of a client's action name an error echoes (longer names end in `…`). */
export const ECHOED_NAME_LIMIT = 64
/** How many of the channel's action names an error lists (the rest are counted). */
export const LISTED_NAMES_LIMIT = 20

/** The known names, sorted once per table: an unknown action is cheap to answer however often it comes. */
const sortedNames = new WeakMap<object, readonly string[]>()

/**
 * The `UNKNOWN_ACTION` error for `action`: the name as sent (capped), the
 * closest known name when it is close enough to be a typo, and the known
 * names (capped): `Unknown action "ad"; did you mean "add"? Actions: add, list`.
 * `known` is the channel's action table (or the built-in names).
 */
export function unknownAction(action: string, known: ReadonlyMap<string, unknown> | readonly string[], kind: 'action' | 'built-in action' = 'action'): ErrorPayload {
  const names = namesOf(known)
  const suggestion = closest(action, names)
  const head = `Unknown ${kind} "${truncate(action, ECHOED_NAME_LIMIT)}"`
  const plural = kind === 'action' ? 'Actions' : 'Built-in actions'
  if (names.length === 0) return { code: 'UNKNOWN_ACTION', message: `${head}; this channel has no actions` }
  const listed = names.slice(0, LISTED_NAMES_LIMIT).map((name) => truncate(name, ECHOED_NAME_LIMIT))
  const more = names.length > LISTED_NAMES_LIMIT ? ` and ${names.length - LISTED_NAMES_LIMIT} more` : ''
  const list = `${plural}: ${listed.join(', ')}${more}`
  return { code: 'UNKNOWN_ACTION', message: suggestion === undefined ? `${head}. ${list}` : `${head}; did you mean "${truncate(suggestion, ECHOED_NAME_LIMIT)}"? ${list}` }
}

function namesOf(known: ReadonlyMap<string, unknown> | readonly string[]): readonly string[] {
  let names = sortedNames.get(known)
  if (!names) sortedNames.set(known, (names = [...(Array.isArray(known) ? known : (known as ReadonlyMap<string, unknown>).keys())].sort()))
  return names
}

/**
 * The known name nearest to `action` by edit distance, if it is a likely
 * typo: at most 1 edit for names up to 5 characters, 2 up to 11, 3 beyond.
 * Names longer than the echo limit are not compared, so a 10 KB name costs nothing.
 */
function closest(action: string, names: readonly string[]): string | undefined {
  if (action.length === 0 || action.length > ECHOED_NAME_LIMIT) return undefined
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of names) {
    const allowed = name.length <= 5 ? 1 : name.length <= 11 ? 2 : 3
    const distance = editDistance(action, name, Math.min(allowed, bestDistance - 1))
    if (distance !== undefined) {
      best = name
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance of `a` and `b`, or undefined once it must exceed `max`. */
function editDistance(a: string, b: string, max: number): number | undefined {
  if (max < 0 || Math.abs(a.length - b.length) > max) return undefined
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin > max) return undefined
    previous = current
  }
  const distance = previous[b.length]!
  return distance <= max ? distance : undefined
}
