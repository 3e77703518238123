import type { CallScope } from './call'
import type { Connection } from './connection'
import type { Interaction } from './middleware'
import { createRPC } from './rpc'
import type { AppSession, ChannelHandle, ChannelServices, UserSessionService, Wire } from './types'

/** What a connection's handle delegates to: the runtime that owns it. */
export interface ScopeOwner {
  readonly channelName: string
  readonly routePattern: string
  readonly singletons: Record<string, unknown>
  send(conn: Connection, data: unknown, isBinary?: boolean): void | Promise<void>
  close(conn: Connection, code?: number, reason?: string): Promise<void>
}

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
  const interaction: Interaction = { kind: 'message', channel: owner.channelName, route: owner.routePattern, channelId: conn.record.channelId }
  const services = { ...owner.singletons, channel, userSession } as unknown as ChannelServices
  const scope = { services, wire }
  services.rpc = createRPC(() => scope, () => interaction)
  return scope
}
