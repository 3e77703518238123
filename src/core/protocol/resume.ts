/**
 * A client's resume identity: a token it picks once and sends with every
 * connection it opens (`wss://host/chat/general?$resume=<token>`), so that a
 * request it sends again after a reconnect, with the same `id`, is answered
 * with what the first one got instead of running twice. The channel keeps
 * each answer for `retryWindowMs` (told in the welcome).
 *
 * Pure: the browser client imports this file.
 */

/** The query parameter that carries the token. It never becomes opening data. */
export const RESUME_PARAM = '$resume'

/** 16 to 64 letters, digits, `-` or `_`: a UUID fits. Anyone holding it can read its answers, so it is random, never derived. */
export const RESUME_TOKEN = /^[A-Za-z0-9_-]{16,64}$/

/** How long a channel keeps an answer by default: long enough for a reconnect after a deploy or a network change. */
export const DEFAULT_RETRY_WINDOW_MS = 120_000

/** `url` with the token as its `$resume` query parameter. Appended as text: a relative URL (which browsers accept) stays relative. */
export function withResume(url: string, token: string): string {
  const [base, fragment] = url.split('#', 2)
  const joined = `${base}${base!.includes('?') ? '&' : '?'}${RESUME_PARAM}=${token}`
  return fragment === undefined ? joined : `${joined}#${fragment}`
}
