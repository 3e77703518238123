import { WiringError } from '../errors'

/** `'/chat/:room/:thread'` -> `'room' | 'thread'`. */
export type RouteParamNames<Route extends string> = Route extends `${string}:${infer Param}/${infer Rest}`
  ? Param | RouteParamNames<`/${Rest}`>
  : Route extends `${string}:${infer Param}`
    ? Param
    : never

/** The path parameters a route pattern yields, all strings. */
export type RouteParams<Route extends string> = { [K in RouteParamNames<Route>]: string }

type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string }

/** A checked route pattern. */
export interface CompiledRoute {
  readonly pattern: string
  readonly params: readonly string[]
  /** The pattern with parameter names erased: two routes with one shape match the same paths. */
  readonly shape: string
  /** Higher is more specific; static segments outrank parameters at the same depth. */
  readonly specificity: number
  readonly segments: readonly Segment[]
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// RFC 3986 pchar, minus ':' (starts a parameter), '*' (a wildcard to Hono) and '%' (patterns are written decoded).
const STATIC_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=@]+$/

/**
 * Checks a route pattern such as `/chat/:room` and throws a `WiringError`
 * naming the problem when it does not parse.
 */
export function compileRoute(pattern: unknown): CompiledRoute {
  if (typeof pattern !== 'string') throw new WiringError(`route must be a string like "/chat/:room", got ${typeof pattern}`)
  const fail = (why: string): never => {
    throw new WiringError(`route "${pattern}" does not parse: ${why}`)
  }
  if (!pattern.startsWith('/')) fail('it must start with "/"')
  if (pattern.includes('?') || pattern.includes('#')) fail('query strings and fragments are not part of a route; query values arrive in openingData')
  if (pattern === '/') return { pattern, params: [], shape: '/', specificity: 0, segments: [] }
  if (pattern.endsWith('/')) fail('it must not end with "/"')

  const segments: Segment[] = []
  const params: string[] = []
  for (const part of pattern.slice(1).split('/')) {
    if (part === '') fail('it has an empty segment ("//")')
    if (part.startsWith(':')) {
      const name = part.slice(1)
      if (!PARAM_NAME.test(name)) fail(`":${name}" is not a valid parameter name (letters, digits and "_", not starting with a digit)`)
      if (params.includes(name)) fail(`parameter ":${name}" appears twice`)
      params.push(name)
      segments.push({ kind: 'param', name })
    } else {
      if (!STATIC_SEGMENT.test(part)) fail(`segment "${part}" has characters a route cannot hold (wildcards, regexes and optional parameters are not supported)`)
      segments.push({ kind: 'static', value: part })
    }
  }
  const shape = '/' + segments.map((s) => (s.kind === 'param' ? ':' : s.value)).join('/')
  // Earlier segments weigh more, so /a/:x/c beats /:y/b/c for /a/b/c.
  const specificity = segments.reduce((sum, s, i) => sum + (s.kind === 'static' ? 2 ** (30 - Math.min(i, 30)) : 0), 0)
  return { pattern, params, shape, specificity, segments }
}

/**
 * The canonical path of one channel instance: the pattern with each parameter
 * filled in, percent-encoded one way only, so `/chat/caf%C3%A9` and
 * `/chat/caf%c3%a9` address the same object.
 */
export function instancePath(route: CompiledRoute, params: Record<string, string>): string {
  if (route.segments.length === 0) return '/'
  return (
    '/' +
    route.segments
      .map((s) => {
        if (s.kind === 'static') return s.value
        const value = params[s.name]
        if (value === undefined) throw new Error(`instancePath: missing parameter "${s.name}" for ${route.pattern}`)
        return encodeURIComponent(value)
      })
      .join('/')
  )
}
