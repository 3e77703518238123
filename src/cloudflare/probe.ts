import { PROBE_HEADER } from '../core/protocol/handshake'

/**
 * The handshake probe, on the router's side (see `PROBE_HEADER`): a `GET`
 * with the probe header is answered with what the upgrade would get, short of
 * upgrading. A page on another origin can read that answer: it is given CORS
 * headers, and its preflight is answered. That tells such a page nothing a
 * WebSocket would not: the origin check runs first (403), and an allowed
 * origin may open the socket itself.
 */
export function isProbe(request: Request): boolean {
  return request.method === 'GET' && request.headers.has(PROBE_HEADER)
}

/** A CORS preflight for a probe from another origin. */
export function isProbePreflight(request: Request): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers.get('access-control-request-method') === 'GET' &&
    (request.headers.get('access-control-request-headers') ?? '').toLowerCase().split(',').some((name) => name.trim() === PROBE_HEADER)
  )
}

/** Lets the page that sent the preflight send the probe (with its cookies). */
export function probePreflight(request: Request): Response {
  const headers = corsHeaders(request)
  headers.set('access-control-allow-methods', 'GET')
  headers.set('access-control-allow-headers', PROBE_HEADER)
  headers.set('access-control-max-age', '600')
  return new Response(null, { status: 204, headers })
}

/** The probe's answer: the handshake's refusal, or 204 (no refusal), readable from the probing page. */
export function probeAnswer(request: Request, refusal: Response | undefined): Response {
  const headers = corsHeaders(request, refusal?.headers)
  return refusal ? new Response(refusal.body, { status: refusal.status, headers }) : new Response(null, { status: 204, headers })
}

function corsHeaders(request: Request, from?: Headers): Headers {
  const headers = new Headers(from)
  headers.append('vary', 'Origin')
  const origin = request.headers.get('origin')
  if (origin !== null) {
    headers.set('access-control-allow-origin', origin)
    headers.set('access-control-allow-credentials', 'true')
  }
  return headers
}
