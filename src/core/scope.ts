import type { CallScope } from './call'
import type { Connection } from './connection'
import type { Interaction } from './middleware'
import { createRPC } from './rpc'
import type { EventHub } from './event-hub'
import type { AppSession, ChannelHandle, ChannelServices, EventHubService, UserSessionService, Wire } from './types'

/** What a connection's handle delegates to: the runtime that owns it. */
export interface ScopeOwner {
  readonly channelName: string
  readonly routePattern: string
  readonly singletons: Record<string, unknown>
  readonly hub: EventHub
  send(conn: Connection, data: unknown, isBinary?: boolean): void | Promise<void>
  close(conn: Connection, code?: number, reason?: string): Promise<void>
  /** Whether a connection of this instance with that id is open (for subscribing others). */
  hasConnection(channelId: string): boolean
}

const CALLBACK_REFUSED =
  'eventHub.subscribe(topic, callback): a callback cannot outlive hibernation. Use eventHub.subscribe(topic) to subscribe this connection: ' +
  'deliveries arrive as "event" frames, and channelMiddleware can reshape them.'


/**
 * Services and wire for one connection: the app's singletons plus `channel`,
 * `rpc` and `userSession`, all reading the connection's live record. Built
 * once per connection per wake.
 */
export function createScope(owner: ScopeOwner, conn: Connection): CallScope & { services: ChannelServices } {
  const channel: ChannelHandle = {
    channelId: conn.record.channelId,
    openingData: conn.record.openingData,
    get state() {
      return conn.state
    },
    send: (data, isBinary) => owner.send(conn, data, isBinary),
    close: (code, reason) => void owner.close(conn, code, reason),
  }
  const wire: Wire = {
    get session() {
      return conn.record.session as AppSession | undefined
    },
    setSession: (session) => conn.setSession(session),
    clearSession: () => conn.clearSession(),
    channel,
  }
  const userSession: UserSessionService = {
    get: async (key?: PropertyKey) => {
      const session = conn.record.session as Record<PropertyKey, unknown> | undefined
      return key === undefined ? session : session?.[key]
    },
    set: async (session) => conn.setSession(session),
    clear: async () => conn.clearSession(),
  } as UserSessionService
  const target = (channelId: unknown): string => {
    if (typeof channelId === 'function') throw new TypeError(CALLBACK_REFUSED)
    if (channelId === undefined) return conn.record.channelId
    if (typeof channelId !== 'string' || !owner.hasConnection(channelId)) throw new Error(`eventHub: no open connection "${String(channelId)}" in this channel instance`)
    return channelId
  }
  const eventHub: EventHubService<Record<string, unknown>> = {
    subscribe: (topic, channelId) => owner.hub.subscribe(target(channelId), topic),
    unsubscribe: async (topic, channelId) => void (await owner.hub.unsubscribe(target(channelId), topic)),
    publish: (topic, data, options) => owner.hub.publish(topic, data, { skip: options?.skipSender ? conn.record.channelId : undefined }),
  }
  const interaction: Interaction = { kind: 'message', channel: owner.channelName, route: owner.routePattern, channelId: conn.record.channelId }
  const services = { ...owner.singletons, channel, userSession, eventHub } as unknown as ChannelServices
  const scope = { services, wire }
  services.rpc = createRPC(() => scope, () => interaction)
  return scope
}
