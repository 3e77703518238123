import { createClient, type ChannelClient } from './channel-client'
import type { ChannelsMapOf, ShapeOf, UntypedChannels } from './channel-shape'
import type { ClientOptions, WebSocketLike } from './options'
import { PikkuRouteHandler } from './pikku-route'
import { pathOf, urlReachesRoute } from './route-path'
import type { ConnectionState } from './types'

/** A socket `PikkuWebSocket` can adopt: one the client can drive, that knows its URL (browsers' and `ws`'s do). */
export type AdoptableWebSocket = WebSocketLike & { readonly url?: string | null }

export interface PikkuWebSocketOptions<Channels = UntypedChannels> extends Omit<ClientOptions, 'socket'> {
  /**
   * Each channel's route as the socket URL's path has it: `{ todos: '/todos', chat: '/chat/:room' }`.
   * With it, `getRoute(name)` checks that the socket's URL reaches that
   * channel's route, and throws if it does not (or if `name` has no route here).
   */
  routes?: { readonly [Name in keyof Channels]?: string }
}

/**
 * Pikku's generated client shape, over `createClient`:
 *
 * ```ts
 * const pikku = new PikkuWebSocket<{ todos: typeof todosChannel }>(new WebSocket('wss://host/todos'))
 * const todos = pikku.getRoute('todos')
 * const { todo } = await todos.send('create', { text: 'Buy milk' })
 * todos.subscribe('todos:updated', (data) => console.log(data.event, data.todo))
 * ```
 *
 * A face, not a second client: the socket (given, or opened from a URL) becomes
 * the first connection of one `ChannelClient`, which does everything else
 * (id-correlated requests, timeouts, reconnects with backoff, resubscription
 * with `since`, typed errors). `Channels` maps channel name -> a wired channel's
 * type or a `ChannelShape`; a generator binds it once with
 * `export class PikkuWebSocket extends Base<ChannelsMap> {}`.
 *
 * Unlike Pikku's, where one socket serves every channel, here one socket reaches
 * one channel instance (one Durable Object): `getRoute` hands out that channel's
 * route, and refuses a second name. The welcome frame does not carry the
 * channel's name, so which channel the socket reaches is known only from the
 * URL, when `options.routes` gives the routes to compare it with.
 */
export class PikkuWebSocket<Channels extends ChannelsMapOf<Channels> = UntypedChannels> {
  /** The client underneath, for what the face does not name (`onMessage`, binary frames, `welcome`). */
  readonly client: ChannelClient
  readonly #routes: { readonly [name: string]: string | undefined } | undefined
  #route: PikkuRouteHandler<any> | undefined

  /**
   * Adopts `socket` (CONNECTING or OPEN) as the first connection; reconnects
   * open new sockets to its URL with its own class, unless `options.WebSocket`
   * names another. Or connects to a URL, as `createClient` does.
   */
  constructor(socket: AdoptableWebSocket | string | URL, options: PikkuWebSocketOptions<Channels> = {}) {
    const { routes, ...clientOptions } = options
    this.#routes = routes as { readonly [name: string]: string | undefined } | undefined
    if (typeof socket === 'string' || socket instanceof URL) {
      this.client = createClient(socket, clientOptions)
      return
    }
    if (!socket.url) throw new TypeError('PikkuWebSocket: the socket has no url, so there is nowhere to reconnect to; pass the URL instead')
    this.client = createClient(socket.url, { ...clientOptions, socket })
  }

  /**
   * The channel's route: `send` its actions and `subscribe` to its topics. The
   * same name always gets the same route. Throws if another name was asked for
   * before (one socket, one channel), or if `options.routes` says the socket's
   * URL is not this channel's route.
   */
  getRoute<Name extends keyof Channels & string>(name: Name): PikkuRouteHandler<ShapeOf<Channels[Name]>> {
    const route = this.#route
    if (route?.channel === name) return route
    if (route) throw new Error(`getRoute("${name}"): this socket reaches one channel instance, already used as "${route.channel}"; open another PikkuWebSocket for "${name}"`)
    if (this.#routes) {
      const pattern = this.#routes[name]
      if (pattern === undefined) throw new Error(`getRoute("${name}"): options.routes has no route for "${name}" (it has: ${Object.keys(this.#routes).join(', ') || 'none'})`)
      if (!urlReachesRoute(this.client.url, pattern)) throw new Error(`getRoute("${name}"): this socket is connected to ${pathOf(this.client.url)}, which is not channel "${name}"'s route ${pattern}`)
    }
    this.#route = new PikkuRouteHandler(name, this.client)
    return this.#route
  }

  get state(): ConnectionState {
    return this.client.state
  }

  /** Calls `listener` on every state change; returns a function that stops it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.client.onStateChange(listener)
  }

  /** Resolves with the welcome data once the connection is open (undefined if an adopted socket's welcome went by unseen). */
  ready(): Promise<unknown> {
    return this.client.ready()
  }

  /** Closes for good, the adopted socket included; pending requests reject with `CLOSED`. */
  close(code?: number, reason?: string): void {
    this.client.close(code, reason)
  }
}
