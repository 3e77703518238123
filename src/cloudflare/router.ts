import { Hono, type Context } from 'hono'
import { ChannelError } from '../core/errors'
import { registry } from '../core/registry'
import { instancePath } from '../core/route'
import { parseWith } from '../core/schema'
import type { ChannelDefinition } from '../core/wire-channel'
import { forwardUpgrade } from './forwarded-upgrade'

export interface ChannelsOptions {
  /** Name of the Durable Object binding for `ChannelObject`. Default `CHANNELS`. */
  binding?: string
}

type Env = { Bindings: Record<string, unknown> }

/**
 * A Hono app that routes WebSocket upgrades for every wired channel to its
 * channel instance's Durable Object. Use it as the Worker, or mount it:
 * `app.route('/', channels())`. Handshake problems are answered here, before
 * any socket is accepted: 426 not an upgrade, 404 no such route (standalone
 * app), 400 bad opening data.
 */
export function channels(options: ChannelsOptions = {}): Hono<Env> {
  const binding = options.binding ?? 'CHANNELS'
  const wired = [...registry.channels.values()]
  if (wired.length === 0) throw new Error('channels(): no channel is wired yet; import your *.channel.ts files before calling channels()')
  registry.seal('channels()')

  const app = new Hono<Env>()
  // Hono tries routes in the order they are added: most specific first, so /chat/lobby wins over /chat/:room.
  for (const channel of wired.sort((a, b) => b.route.specificity - a.route.specificity)) {
    app.all(channel.route.pattern, (c) => upgrade(c, channel, binding))
  }
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No channel is wired at ${c.req.path}` } }, 404))
  return app
}

async function upgrade(c: Context<Env>, channel: ChannelDefinition, binding: string): Promise<Response> {
  if (c.req.method !== 'GET' || c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    return c.json(
      { error: { code: 'UPGRADE_REQUIRED', message: `${c.req.path} is the WebSocket channel "${channel.name}"; connect with a GET and "Upgrade: websocket"` } },
      426,
      { Upgrade: 'websocket' },
    )
  }
  const params = c.req.param() as Record<string, string>
  // Path parameters win over query values of the same name: the path picks the instance.
  const openingInput = { ...c.req.query(), ...params }
  if (channel.openingData) {
    try {
      await parseWith(channel.openingData, openingInput, 'Opening data')
    } catch (error) {
      if (error instanceof ChannelError) return c.json({ error: error.toPayload() }, 400)
      throw error
    }
  }
  const namespace = c.env?.[binding] as DurableObjectNamespace | undefined
  if (!namespace || typeof namespace.getByName !== 'function') {
    return c.json({ error: { code: 'INTERNAL', message: `No Durable Object binding "${binding}": bind ChannelObject as ${binding} in wrangler.toml` } }, 500)
  }
  const path = instancePath(channel.route, params)
  const stub = namespace.getByName(`${channel.name}:${path}`)
  return stub.fetch(forwardUpgrade(c.req.raw, { channel: channel.name, path, openingInput }))
}
