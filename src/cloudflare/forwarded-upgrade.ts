import type { LimitOptions } from '../core/limits'

/**
 * How the router tells the object which channel instance an upgrade is for.
 * The router strips every header with this prefix from client requests
 * before setting its own, so a client cannot forge them.
 */
const INTERNAL_HEADER_PREFIX = 'x-pikku-'

const HEADERS = {
  channel: `${INTERNAL_HEADER_PREFIX}channel`,
  path: `${INTERNAL_HEADER_PREFIX}path`,
  opening: `${INTERNAL_HEADER_PREFIX}opening`,
  session: `${INTERNAL_HEADER_PREFIX}session`,
  limits: `${INTERNAL_HEADER_PREFIX}limits`,
  binding: `${INTERNAL_HEADER_PREFIX}binding`,
  resume: `${INTERNAL_HEADER_PREFIX}resume`,
}

/** An upgrade as the router forwards it to `ChannelObject`. */
export interface ForwardedUpgrade {
  channel: string
  /** Canonical instance path, e.g. `/chat/general`. */
  path: string
  /** Path params and query, before the channel's schema runs. */
  openingInput: Record<string, string>
  /** The session an upgrade authenticator established, if any. */
  session?: unknown
  /** The router's limit options; the channel's own settings win over them. */
  limits: LimitOptions
  /** The binding the router reached the object through, for global topics to reach it again. */
  binding?: string
  /** The client's `$resume` token, checked by the router. */
  resume?: string | undefined
}

function withoutInternalHeaders(headers: Headers): Headers {
  const clean = new Headers(headers)
  for (const name of [...clean.keys()]) if (name.startsWith(INTERNAL_HEADER_PREFIX)) clean.delete(name)
  return clean
}

// Header values must be ASCII; JSON of user input may not be.
const pack = (value: unknown) => encodeURIComponent(JSON.stringify(value))
const unpack = (value: string) => JSON.parse(decodeURIComponent(value))

/** The request the router sends to the instance's object: the client's own headers, minus forged internal ones, plus ours. */
export function forwardUpgrade(request: Request, upgrade: ForwardedUpgrade): Request {
  const headers = withoutInternalHeaders(request.headers)
  headers.set(HEADERS.channel, upgrade.channel)
  headers.set(HEADERS.path, upgrade.path)
  headers.set(HEADERS.opening, pack(upgrade.openingInput))
  headers.set(HEADERS.limits, pack(upgrade.limits))
  if (upgrade.binding) headers.set(HEADERS.binding, upgrade.binding)
  if (upgrade.resume) headers.set(HEADERS.resume, upgrade.resume)
  if (upgrade.session !== undefined) headers.set(HEADERS.session, pack(upgrade.session))
  return new Request(request.url, { method: 'GET', headers })
}

/** The upgrade the router forwarded, or undefined for a request that did not come through `channels()`. */
export function readForwardedUpgrade(request: Request): ForwardedUpgrade | undefined {
  const get = (name: string) => request.headers.get(name)
  const channel = get(HEADERS.channel)
  const path = get(HEADERS.path)
  const opening = get(HEADERS.opening)
  const limits = get(HEADERS.limits)
  if (channel === null || path === null || opening === null || limits === null) return undefined
  try {
    const session = get(HEADERS.session)
    const binding = get(HEADERS.binding) ?? undefined
    const resume = get(HEADERS.resume) ?? undefined
    return { channel, path, openingInput: unpack(opening), limits: unpack(limits), binding, resume, ...(session === null ? {} : { session: unpack(session) }) }
  } catch {
    return undefined
  }
}
