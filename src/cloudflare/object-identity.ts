import type { InstanceAddress } from './channel-object'

const DEFAULT_BINDING = 'CHANNELS'

/**
 * What an object knows of its own address: its name (`chat:/chat/general`)
 * and the binding it is reached under. Global topics need both to register
 * with a coordinator; they are kept in storage because an object woken by a
 * forwarded publish has no request to read them from.
 */
export class ObjectIdentity {
  #cached: InstanceAddress | undefined

  constructor(private readonly ctx: DurableObjectState) {}

  remember(address: { instance: string; binding?: string }): void {
    const binding = address.binding ?? DEFAULT_BINDING
    const current = this.#cached ?? this.#read()
    if (current?.instance === address.instance && current.binding === binding) return
    this.#table()
    this.ctx.storage.sql.exec(
      "INSERT INTO pikku_identity (key, instance, binding) VALUES ('self', ?, ?) ON CONFLICT (key) DO UPDATE SET instance = excluded.instance, binding = excluded.binding",
      address.instance,
      binding,
    )
    this.#cached = { instance: address.instance, binding }
  }

  address(): InstanceAddress {
    const known = this.#cached ?? this.#read()
    // Objects addressed by name know it themselves; the stored copy covers older runtimes.
    const instance = known?.instance ?? this.ctx.id.name
    if (!instance) throw new Error('This channel object does not know its own name yet')
    return (this.#cached = { instance, binding: known?.binding ?? DEFAULT_BINDING })
  }

  #read(): InstanceAddress | undefined {
    this.#table()
    const row = this.ctx.storage.sql.exec<{ instance: string; binding: string }>("SELECT instance, binding FROM pikku_identity WHERE key = 'self'").toArray()[0]
    return row ? (this.#cached = { instance: row.instance, binding: row.binding }) : undefined
  }

  #table(): void {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS pikku_identity (key TEXT PRIMARY KEY, instance TEXT NOT NULL, binding TEXT NOT NULL) WITHOUT ROWID')
  }
}
