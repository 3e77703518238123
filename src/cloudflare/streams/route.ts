import type { Context } from 'hono'
import { parseOpening } from '../../core/streams/address'
import { toIssues } from '../../core/schema'
import { channelNamespace, MissingBindingError, streamName } from '../addressing'
import { handshakeError } from '../handshake'
import { isProbe, isProbePreflight, probeAnswer, probePreflight } from '../probe'
import type { ShellEnv } from '../publish-route'

/**
 * The route `channels()` mounts at `/ws/channels/:channel_id`: a broken ref
 * is refused here with 400 before any object is touched; everything else
 * (the key, a second opener, an expired stream) is the broker's to answer.
 * No origin check: the key in the URL is the credential, not a cookie, so a
 * page on another site gains nothing it did not already hold.
 */
export function streamRoute(binding: string) {
  return async (c: Context<ShellEnv>): Promise<Response> => {
    const request = c.req.raw
    if (isProbePreflight(request)) return probePreflight(request)
    const probe = isProbe(request)
    const parsed = parseOpening(c.req.param('channel_id'), c.req.query())
    if ('issues' in parsed) {
      const refusal = handshakeError('INVALID_INPUT', `Broken stream ref: ${parsed.issues[0]?.message}`, { issues: toIssues(parsed.issues) })
      return probe ? probeAnswer(request, refusal) : refusal
    }
    if (!probe && (c.req.method !== 'GET' || c.req.header('upgrade')?.toLowerCase() !== 'websocket')) {
      return handshakeError('UPGRADE_REQUIRED', `${c.req.path} is a stream end; connect with a GET and "Upgrade: websocket"`, { headers: { Upgrade: 'websocket' } })
    }
    let namespace: DurableObjectNamespace
    try {
      namespace = channelNamespace(c.env ?? {}, binding, 'channels()')
    } catch (error) {
      if (error instanceof MissingBindingError) return handshakeError('INTERNAL', error.message)
      throw error
    }
    const answer = await namespace.getByName(streamName(parsed.opening.channelId)).fetch(request)
    return probe ? probeAnswer(request, answer.status === 204 ? undefined : answer) : answer
  }
}
