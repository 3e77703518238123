import { Hono, type Context } from 'hono'
import { checkLimits, type LimitOptions } from '../core/limits'
import { RESUME_PARAM, RESUME_TOKEN } from '../core/protocol/resume'
import type { ChannelDefinition, UpgradeAuthenticator } from '../core/wiring/channel-definition'
import { registry } from '../core/wiring/registry'
import { instancePath } from '../core/wiring/route'
import { placementKey, shardOf } from '../core/shards/placement'
import { channelNamespace, DEFAULT_BINDING, instanceName, MissingBindingError, shardName } from './addressing'
import { forwardUpgrade } from './forwarded-upgrade'
import { handshakeError, handshakeErrorFor, openingDataOf } from './handshake'
import { isProbe, isProbePreflight, probeAnswer, probePreflight } from './probe'
import { publishHandlers, type PublishRouteOptions, type ShellEnv } from './publish-route'
import { STREAM_ROUTE } from '../core/streams/address'
import { streamRoute } from './streams/route'

export interface ChannelsOptions extends LimitOptions {
  /** Name of the Durable Object binding for `ChannelObject`. Default `CHANNELS`. */
  binding?: string
  /**
   * Origins browsers may open channels from; others get 403 (cross-site
   * WebSocket hijacking). Requests without an `Origin` header are not from a
   * browser page and pass. Default: any origin.
   */
  origins?: string[] | ((origin: string) => boolean)
  /** Establishes a session from the upgrade request, for channels without their own `authenticate`. */
  authenticate?: UpgradeAuthenticator
  /** An HTTP route to publish from anywhere holding a secret. Off unless set. */
  publishRoute?: PublishRouteOptions
  /** Serve binary stream ends at `/ws/channels/:channel_id` (see createStreamChannel). Default true; `false` to leave that path to you. */
  streams?: boolean
}

/**
 * A Hono app that routes WebSocket upgrades for every wired channel to its
 * channel instance's Durable Object. Use it as the Worker, or mount it:
 * `app.route('/', channels())`. Handshake problems are answered here, before
 * any socket is accepted: 426 not an upgrade, 403 origin not allowed, 404 no
 * such route (standalone app), 400 bad opening data, 401/403 from `authenticate`,
 * 500 no `ChannelObject` binding. Stream ends are served at
 * `/ws/channels/:channel_id` unless `streams: false`. A handshake probe (`x-pikku-probe`) gets the
 * same answers without the upgrade, or 204.
 */
export function channels(options: ChannelsOptions = {}): Hono<ShellEnv> {
  const binding = options.binding ?? DEFAULT_BINDING
  const limits = checkLimits(options, 'channels()')
  const allowOrigin = originCheck(options.origins)
  const wired = [...registry.channels.values()]
  if (wired.length === 0) throw new Error('channels(): no channel is wired yet; import your *.channel.ts files before calling channels()')
  registry.seal('channels()')

  const app = new Hono<ShellEnv>()
  // Before the channels' routes, so a channel wired at /ws/:a/:b cannot shadow it.
  if (options.streams !== false) app.all(STREAM_ROUTE, streamRoute(binding))
  if (options.publishRoute) app.post(options.publishRoute.path ?? '/_publish', ...publishHandlers(options.publishRoute, binding, registry.channels, limits))
  // Hono tries routes in the order they are added: most specific first, so /chat/lobby wins over /chat/:room.
  for (const channel of wired.sort((a, b) => b.route.specificity - a.route.specificity)) {
    const authenticate = channel.authenticate ?? options.authenticate
    app.all(channel.route.pattern, (c) => upgrade(c, channel, { binding, limits, allowOrigin, authenticate }))
  }
  app.notFound((c) => {
    const request = c.req.raw
    if (isProbePreflight(request)) return probePreflight(request)
    const refusal = handshakeError('NOT_FOUND', `No channel is wired at ${c.req.path}`)
    return isProbe(request) ? probeAnswer(request, refusal) : refusal
  })
  return app
}

interface UpgradeRules {
  binding: string
  limits: LimitOptions
  allowOrigin: (origin: string) => boolean
  authenticate: UpgradeAuthenticator | undefined
}

async function upgrade(c: Context<ShellEnv>, channel: ChannelDefinition, rules: UpgradeRules): Promise<Response> {
  const request = c.req.raw
  if (isProbePreflight(request)) return probePreflight(request)
  const probe = isProbe(request)
  if (!probe && (c.req.method !== 'GET' || c.req.header('upgrade')?.toLowerCase() !== 'websocket')) {
    return handshakeError('UPGRADE_REQUIRED', `${c.req.path} is the WebSocket channel "${channel.name}"; connect with a GET and "Upgrade: websocket"`, {
      headers: { Upgrade: 'websocket' },
    })
  }
  const checked = await handshakeChecks(c, channel, rules)
  // A probe gets what the upgrade would get, short of the upgrade itself.
  if (probe) return probeAnswer(request, checked instanceof Response ? checked : undefined)
  if (checked instanceof Response) return checked
  const { namespace, params, openingInput, session, resume } = checked
  const path = instancePath(channel.route, params)
  // A sharded channel's connection goes to one of the instance's objects, by a stable hash of what places it.
  const shard = shardOf(placementKey(session, resume) ?? crypto.randomUUID(), channel.shards)
  const stub = namespace.getByName(shardName(instanceName(channel.name, path), shard))
  return stub.fetch(forwardUpgrade(request, { channel: channel.name, path, openingInput, session, resume, limits: rules.limits, binding: rules.binding }))
}

/**
 * Everything the router checks before it forwards an upgrade (the origin,
 * opening data, the authenticator, the binding): the refusal, or what to
 * forward. Upgrades and probes both run it.
 */
async function handshakeChecks(c: Context<ShellEnv>, channel: ChannelDefinition, rules: UpgradeRules) {
  const origin = c.req.header('origin')
  if (origin !== undefined && !rules.allowOrigin(origin)) return handshakeError('FORBIDDEN', `Origin ${origin} may not open this channel`)
  const params = c.req.param() as Record<string, string>
  // The client's resume token names the client, not the instance: it is never opening data.
  const { [RESUME_PARAM]: resume, ...query } = c.req.query()
  if (resume !== undefined && !RESUME_TOKEN.test(resume)) {
    return handshakeError('INVALID_INPUT', `${RESUME_PARAM} must be 16 to 64 letters, digits, "-" or "_" (a random UUID): it names one client across its reconnects`)
  }
  // Path parameters win over query values of the same name: the path picks the instance.
  const openingInput = { ...query, ...params }
  let session: unknown
  try {
    const openingData = await openingDataOf(channel, openingInput)
    if (rules.authenticate) session = await rules.authenticate(c.req.raw, { channel: channel.name, openingData, env: c.env ?? {} })
  } catch (error) {
    return handshakeErrorFor(error, { event: 'channel.upgrade_failed', fields: { channel: channel.name } })
  }
  try {
    return { namespace: channelNamespace(c.env ?? {}, rules.binding, 'channels()'), params, openingInput, session, resume }
  } catch (error) {
    if (error instanceof MissingBindingError) return handshakeError('INTERNAL', error.message)
    throw error
  }
}

function originCheck(origins: ChannelsOptions['origins']): (origin: string) => boolean {
  if (origins === undefined) return () => true
  if (typeof origins === 'function') return origins
  if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string')) throw new Error('channels(): origins must be an array of origins like "https://app.example.com", or a function')
  const allowed = new Set(origins.map((o) => o.toLowerCase()))
  return (origin) => allowed.has(origin.toLowerCase())
}
