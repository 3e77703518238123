/**
 * How objects in the `ChannelObject` namespace are named and reached. The
 * router, the publisher, global topics and the objects themselves must agree,
 * so every name is made here.
 */

/** The Durable Object binding `ChannelObject` is expected under, unless `channels({ binding })` says otherwise. */
export const DEFAULT_BINDING = 'CHANNELS'

/** How an outside caller reaches an instance: its name, and the binding it is reachable under. */
export interface InstanceAddress {
  instance: string
  binding: string
}

/** One channel instance: channel `chat` at `/chat/general` is `chat:/chat/general`. */
export function instanceName(channel: string, path: string): string {
  return `${channel}:${path}`
}

/** The coordinator of a global topic: one per channel and topic declaration. */
export function coordinatorName(channel: string, key: string): string {
  return `$topic:${channel}:${key}`
}

/** The `ChannelObject` namespace under `binding` in `env`; throws naming the binding when it is missing. */
export function channelNamespace<T extends Rpc.DurableObjectBranded | undefined = undefined>(env: Record<string, unknown>, binding: string, who: string): DurableObjectNamespace<T> {
  const namespace = env[binding] as DurableObjectNamespace<T> | undefined
  if (!namespace || typeof namespace.getByName !== 'function') {
    throw new Error(`${who}: no Durable Object binding "${binding}": bind ChannelObject as ${binding} in wrangler.toml`)
  }
  return namespace
}

/**
 * What an object knows of its own address. Its name is its id's name (every
 * object is addressed with `getByName`); the binding it is reached under is
 * kept in storage, because an object woken by a forwarded publish has no
 * request to read it from, and global topics need it to register.
 */
export class ObjectIdentity {
  #binding: string | undefined

  constructor(private readonly ctx: DurableObjectState) {}

  /** Remembers the binding a request reached this object through (a write only when it changes). */
  remember(binding: string | undefined): void {
    const wanted = binding ?? DEFAULT_BINDING
    if (this.#read() === wanted) return
    this.ctx.storage.sql.exec(
      "INSERT INTO pikku_address (key, binding) VALUES ('self', ?) ON CONFLICT (key) DO UPDATE SET binding = excluded.binding",
      wanted,
    )
    this.#binding = wanted
  }

  address(): InstanceAddress {
    const instance = this.ctx.id.name
    if (!instance) throw new Error('This channel object has no name: reach ChannelObject with getByName(instanceName(...))')
    return { instance, binding: this.#read() ?? DEFAULT_BINDING }
  }

  #read(): string | undefined {
    if (this.#binding !== undefined) return this.#binding
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS pikku_address (key TEXT PRIMARY KEY, binding TEXT NOT NULL) WITHOUT ROWID')
    const row = this.ctx.storage.sql.exec<{ binding: string }>("SELECT binding FROM pikku_address WHERE key = 'self'").toArray()[0]
    return (this.#binding = row?.binding)
  }
}
