import ours from '../ours/index'
import { fetchParty } from '../partyserver/index'
import { fetchRaw } from '../raw/index'

export { BenchChannelObject } from '../ours/index'
export { PartyBench } from '../partyserver/index'
export { RawObject } from '../raw/index'

/**
 * The three targets in one Worker, so one workerd runs them all: they share a
 * process, its CPU accounting and its drift, and a round's ratios pair up.
 * Paths tell them apart: /r/:room raw, /parties/party-bench/:room PartyServer, the rest ours.
 */
export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> | Response {
    const path = new URL(request.url).pathname
    if (path.startsWith('/r/')) return fetchRaw(request, env as never)
    if (path.startsWith('/parties/')) return fetchParty(request, env)
    return ours.fetch(request, env, ctx)
  },
}
