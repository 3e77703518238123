/**
 * Cross-instance fan-out for `global` topics, through one coordinator per
 * topic declaration. The host (the Durable Object shell) implements it; the
 * hub only decides when to call it.
 */
export interface GlobalBridge {
  /** This instance gained its first subscriber governed by the declaration `key`. */
  register(key: string): Promise<void>
  /** This instance lost its last subscriber governed by `key`. */
  unregister(key: string): Promise<void>
  /** Sends an already validated event to every registered instance; `skip` is a connection not to deliver to (the sender). */
  publish(key: string, topic: string, data: unknown, skip: string | undefined): Promise<void>
}
