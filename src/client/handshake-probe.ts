import { FINAL_PROBE_STATUS, PROBE_HEADER } from '../core/protocol/handshake'
import type { ErrorIssue } from '../core/protocol/frames'
import { ChannelClientError } from './client-error'
import { cancelTimeout, type TimeoutHandle } from './timers'

/** What the probe needs of `fetch`; the standard one (browsers, Node 18+, Workers) fits. */
export type ProbeFetch = (
  url: string,
  init: { method: 'GET'; headers: Record<string, string>; credentials: 'include'; signal?: AbortSignal },
) => Promise<{ status: number; json(): Promise<unknown> }>

/** How long the probe may take before the client retries as if it had learned nothing. */
export const PROBE_TIMEOUT_MS = 5_000
/** How much of the server's message a probe's error carries. */
const MESSAGE_LIMIT = 200

/** The channel's URL for `fetch`: `ws:` and `wss:` become `http:` and `https:`; undefined if it is no such URL. */
export function probeUrl(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol === 'ws:') parsed.protocol = 'http:'
  else if (parsed.protocol === 'wss:') parsed.protocol = 'https:'
  else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined
  return parsed.toString()
}

/**
 * Asks the server why a connection closed before its welcome: a `GET` of the
 * channel's URL with the probe header (and the page's cookies), which the
 * router answers as it would have answered the upgrade. Resolves with the
 * error to stop with when the answer is a refusal that retrying cannot change
 * (400, 401, 403, 404), else undefined: the upgrade would be accepted (204),
 * the server failed or does not know probes (426 from an older router), or
 * nothing came back in time.
 */
export async function probeHandshake(url: string, fetchProbe: ProbeFetch): Promise<ChannelClientError | undefined> {
  const target = probeUrl(url)
  if (target === undefined) return undefined
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined
  let timer: TimeoutHandle | undefined
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      controller?.abort()
      resolve(undefined)
    }, PROBE_TIMEOUT_MS)
  })
  const probed = (async () => {
    try {
      const response = await fetchProbe(target, { method: 'GET', headers: { [PROBE_HEADER]: '1' }, credentials: 'include', ...(controller ? { signal: controller.signal } : {}) })
      const fallback = FINAL_PROBE_STATUS[response.status as keyof typeof FINAL_PROBE_STATUS]
      if (fallback === undefined) return undefined
      return refusal(response.status, fallback, await response.json().catch(() => undefined))
    } catch {
      return undefined // no answer: the network, or the server, is down
    }
  })()
  try {
    return await Promise.race([probed, timedOut])
  } finally {
    cancelTimeout(timer)
  }
}

type FinalCode = (typeof FINAL_PROBE_STATUS)[keyof typeof FINAL_PROBE_STATUS]

const FINAL_CODES: ReadonlySet<unknown> = new Set<FinalCode>(Object.values(FINAL_PROBE_STATUS))

/** The error for a refusal: the body's code when it agrees with the status, its message (capped), its issues. */
function refusal(status: number, fallback: FinalCode, body: unknown): ChannelClientError {
  const error = (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)?.error
  const code = FINAL_CODES.has(error?.code) ? (error!.code as FinalCode) : fallback
  const message = typeof error?.message === 'string' ? error.message : ''
  const said = message === '' ? '' : `: ${message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT)}…` : message}`
  const issues = code === 'INVALID_INPUT' && Array.isArray(error?.issues) ? (error.issues as ErrorIssue[]) : undefined
  return new ChannelClientError(code, `The server refused the connection (${status} ${code})${said}`, { status, ...(issues ? { issues } : {}) })
}
