import type { EventHub } from '../event-hub/event-hub'
import type { AppSession, ChannelHandle, ChannelServices, EventHubService, Interaction, PikkuFunction, UserSessionService, Wire } from '../types'
import type { CallScope } from './call'
import type { Connection } from './connection'
import { createRPC } from './rpc'

/** What a connection's services delegate to: the runtime that hosts it. */
export interface ConnectionHost {
  readonly channelName: string
  readonly routePattern: string
  readonly singletons: Record<string, unknown>
  readonly hub: EventHub
  /** Functions `services.rpc` can invoke. */
  readonly functions: ReadonlyMap<string, PikkuFunction>
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
 * `rpc`, `userSession` and `eventHub`, all reading the connection's live
 * record. Built once per connection per wake.
 */
export function createScope(host: ConnectionHost, conn: Connection): CallScope & { services: ChannelServices } {
  const { channelId } = conn.record
  const channel: ChannelHandle = {
    channelId,
    openingData: conn.record.openingData,
    get state() {
      return conn.state
    },
    send: (data, isBinary) => host.send(conn, data, isBinary),
    close: (code, reason) => void host.close(conn, code, reason),
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
  const target = (other: unknown): string => {
    if (typeof other === 'function') throw new TypeError(CALLBACK_REFUSED)
    if (other === undefined) return channelId
    if (typeof other !== 'string' || !host.hasConnection(other)) throw new Error(`eventHub: no open connection "${String(other)}" in this channel instance`)
    return other
  }
  const eventHub: EventHubService<Record<string, unknown>> = {
    subscribe: (topic, other) => host.hub.subscribe(target(other), topic),
    unsubscribe: async (topic, other) => void (await host.hub.unsubscribe(target(other), topic)),
    publish: (topic, data, options) => host.hub.publish(topic, data, { skip: options?.skipSender ? channelId : undefined }),
  }
  const rpcInteraction = (name: string): Interaction => ({ kind: 'rpc', channel: host.channelName, route: host.routePattern, channelId, action: name })
  const services = { ...host.singletons, channel, userSession, eventHub } as unknown as ChannelServices
  const scope = { services, wire }
  services.rpc = createRPC(host.functions, () => scope, rpcInteraction)
  return scope
}
