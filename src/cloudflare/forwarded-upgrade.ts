/**
 * How the router tells the object which channel instance an upgrade is for.
 * The router strips every header with this prefix from client requests
 * before setting its own, so a client cannot forge them.
 */
export const INTERNAL_HEADER_PREFIX = 'x-pikku-'

const CHANNEL = `${INTERNAL_HEADER_PREFIX}channel`
const PATH = `${INTERNAL_HEADER_PREFIX}path`
const OPENING = `${INTERNAL_HEADER_PREFIX}opening`

/** An upgrade as the router forwards it to `ChannelObject`. */
export interface ForwardedUpgrade {
  channel: string
  /** Canonical instance path, e.g. `/chat/general`. */
  path: string
  /** Path params and query, before the channel's schema runs. */
  openingInput: Record<string, string>
}

export function withoutInternalHeaders(headers: Headers): Headers {
  const clean = new Headers(headers)
  for (const name of [...clean.keys()]) if (name.startsWith(INTERNAL_HEADER_PREFIX)) clean.delete(name)
  return clean
}

export function forwardUpgrade(request: Request, upgrade: ForwardedUpgrade): Request {
  const headers = withoutInternalHeaders(request.headers)
  headers.set(CHANNEL, upgrade.channel)
  headers.set(PATH, upgrade.path)
  // Header values must be ASCII; JSON of user input may not be.
  headers.set(OPENING, encodeURIComponent(JSON.stringify(upgrade.openingInput)))
  return new Request(request.url, { method: 'GET', headers })
}

export function readForwardedUpgrade(request: Request): ForwardedUpgrade | undefined {
  const channel = request.headers.get(CHANNEL)
  const path = request.headers.get(PATH)
  const opening = request.headers.get(OPENING)
  if (channel === null || path === null || opening === null) return undefined
  try {
    return { channel, path, openingInput: JSON.parse(decodeURIComponent(opening)) }
  } catch {
    return undefined
  }
}
