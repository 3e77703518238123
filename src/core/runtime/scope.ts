import type { AppSession, ChannelHandle, ChannelServices, Interaction, PikkuFunction, UserSessionService, Wire } from '../types'
import type { CallScope } from './call'
import type { Connection } from './connection'
import { eventHubService, type EventHubHost } from './event-hub-service'
import { guardServices } from './missing-services'
import { createRPC } from './rpc'

/** What a connection's services delegate to: the runtime that hosts it. */
export interface ConnectionHost extends EventHubHost {
  readonly routePattern: string
  readonly singletons: Record<string, unknown>
  /** Functions `services.rpc` can invoke. */
  readonly functions: ReadonlyMap<string, PikkuFunction>
  /** Set when no services were registered: reading a missing service throws this (see `guardServices`). */
  readonly missingService?: ((key: string) => Error) | undefined
  send(conn: Connection, data: unknown, isBinary?: boolean): void | Promise<void>
  close(conn: Connection, code?: number, reason?: string): Promise<void>
  /** The connection's session changed (it is saved already). */
  sessionChanged(conn: Connection): void
  setPresence(conn: Connection, data: unknown): void
  /** `rpc.invokeOnOwner` on a shard other than the owner: the call, made there; undefined to run it here. */
  invokeOnOwner(conn: Connection, name: string, data: unknown): Promise<unknown> | undefined
}

/**
 * Services and wire for one connection: the app's singletons plus `channel`,
 * `rpc`, `userSession`, `eventHub` and `setSession`, all reading the
 * connection's live record. Built once per connection per wake.
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
    setPresence: (data) => host.setPresence(conn, data),
  }
  const wire: Wire = {
    get session() {
      return conn.record.session as AppSession | undefined
    },
    setSession: (session) => {
      conn.setSession(session)
      host.sessionChanged(conn)
    },
    clearSession: () => {
      conn.clearSession()
      host.sessionChanged(conn)
    },
    channel,
  }
  const userSession: UserSessionService = {
    get: async (key?: PropertyKey) => {
      const session = conn.record.session as Record<PropertyKey, unknown> | undefined
      return key === undefined ? session : session?.[key]
    },
    set: async (session) => wire.setSession(session),
    clear: async () => wire.clearSession(),
  } as UserSessionService
  const rpcInteraction = (name: string): Interaction => ({ kind: 'rpc', channel: host.channelName, route: host.routePattern, channelId, action: name })
  const services = {
    ...host.singletons,
    channel,
    userSession,
    eventHub: eventHubService(host, channelId),
    setSession: wire.setSession,
    clearSession: wire.clearSession,
  } as unknown as ChannelServices
  const scope = { services: host.missingService ? guardServices(services, host.missingService) : services, wire }
  services.rpc = createRPC(host.functions, () => scope, rpcInteraction, (name, data) => host.invokeOnOwner(conn, name, data))
  return scope
}
