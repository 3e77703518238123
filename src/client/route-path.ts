/**
 * Whether a socket URL reaches a route pattern such as `/chat/:room`: the same
 * number of segments, static ones equal, a parameter matching any one
 * non-empty segment. The whole path is compared, so the routes given to
 * `PikkuWebSocket` are the paths clients connect to: a Worker that mounts
 * `channels()` under a prefix lists its routes with that prefix.
 *
 * Written here rather than imported from the core's route compiler, which the
 * browser client may not import at runtime; patterns are assumed valid (the
 * server checked them when it wired the channel).
 */
export function urlReachesRoute(url: string, pattern: string): boolean {
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return false
  }
  const have = path.split('/').filter(Boolean)
  const want = pattern.split('/').filter(Boolean)
  return have.length === want.length && want.every((segment, i) => segment.startsWith(':') || segment === have[i])
}

/** A URL's path, for error messages (the URL itself as given when it does not parse). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}
