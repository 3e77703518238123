import type { GlobalBridge } from '../event-hub/global-bridge'
import type { HubStore } from '../event-hub/hub-store'
import type { Logger } from '../logger'
import type { ShardLink } from '../shards/shard-link'
import type { PikkuChannelMiddleware, PikkuFunction } from '../types'
import type { Connection } from './connection'
import type { ConnectionLedger } from './connection-ledger'
import type { ResultStore } from './kept-results'

/** The app's singleton services plus the logger every handler gets. */
export type SingletonServices = Record<string, unknown> & { logger: Logger }

/** What a host gives the runtime beyond the channel and its services: nothing is read from global state. */
export interface RuntimeOptions {
  /** Where EventHub state lives: the object's SQLite in production, a `MemoryHubStore` in tests. */
  hubStore: HubStore
  /** The channel's channel middleware, in order: tagged (`addChannelMiddleware`) first, then its own. */
  channelMiddleware: readonly PikkuChannelMiddleware[]
  /** Functions `services.rpc.invoke` can call (`wireRPC`). */
  functions: ReadonlyMap<string, PikkuFunction>
  /** Finds a connection of this instance by channel id, for ones not seen since the last wake. */
  findConnection?: (channelId: string) => Connection | undefined
  /**
   * Every connection the host holds now (any state, any channel), rebuilt from
   * what survived hibernation: presence is built from it once per wake.
   * Without one, the connections seen since the runtime started.
   */
  listConnections?: () => Iterable<Connection>
  /** The durable list of open connections, for `reconcile` after a crash; without one, nothing is kept. */
  ledger?: ConnectionLedger
  /** Where answers to resumable connections' requests are kept for retries; without one, none are (and no welcome offers it). */
  results?: ResultStore
  /** How long answers are kept; default `DEFAULT_RETRY_WINDOW_MS` (2 minutes). */
  retryWindowMs?: number
  /** Cross-instance fan-out for global topics. */
  global?: GlobalBridge
  /** On a channel wired with `shards`: the instance's other objects. */
  shards?: ShardLink
  /**
   * Set when the host knows no services were registered (no `pikkuServices`
   * factory ran): a handler reading a service its services lack then fails
   * with this error, naming the key, instead of with `undefined`. Unset, services
   * are a plain object.
   */
  missingService?: (key: string) => Error
}
