/**
 * Cross-instance fan-out for `global` topics, through one coordinator per
 * topic declaration. The host (the Durable Object shell) implements it; the
 * hub only decides when to call it.
 */
export interface GlobalBridge {
  /** This instance gained its first subscriber governed by the declaration `key`. */
  register(key: string): Promise<void>
  /**
   * This instance gained another subscriber under `key`: register again, in
   * the background, in case the coordinator dropped this instance for failed
   * deliveries. Never throws; calls may be coalesced.
   */
  renew(key: string): void
  /** This instance lost its last subscriber governed by `key`. */
  unregister(key: string): Promise<void>
  /**
   * Sends an already validated event to every registered instance; `skip` is a connection not to deliver to (the sender).
   * `subscribed` says this instance holds subscribers under `key`, so the coordinator registers it again if it was dropped.
   */
  publish(key: string, topic: string, data: unknown, skip: string | undefined, subscribed: boolean): Promise<void>
}
