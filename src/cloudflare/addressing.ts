/**
 * How objects in the `ChannelObject` namespace are named and reached. The
 * router, the publisher, global topics and the objects themselves must agree,
 * so every name is made here.
 */
import { shellLog } from './shell-log'

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

/** What follows an instance's name in the names of its other shards: `chat:/chat/general#shard-3`. */
const SHARD_SUFFIX = '#shard-'

/**
 * The object of one shard of an instance. Shard 0, the owner, is the
 * instance's own object, so a channel without shards (and the publisher,
 * which reaches the owner) names objects as it always did. An instance path
 * never holds `#` (route parameters are URI-encoded), so the names cannot clash.
 */
export function shardName(instance: string, index: number): string {
  return index === 0 ? instance : `${instance}${SHARD_SUFFIX}${index}`
}

/** An object's instance and shard, from its name. */
export function shardOfName(name: string): { instance: string; index: number } {
  const at = name.lastIndexOf(SHARD_SUFFIX)
  if (at < 0) return { instance: name, index: 0 }
  return { instance: name.slice(0, at), index: Number(name.slice(at + SHARD_SUFFIX.length)) }
}

/** The coordinator of a global topic: one per channel and topic declaration. */
export function coordinatorName(channel: string, key: string): string {
  return `$topic:${channel}:${key}`
}

/** The prefix of a stream broker's name: `ChannelObject` takes that role on objects named so. */
export const STREAM_PREFIX = '$stream:'

/** The broker of one binary stream. */
export function streamName(id: string): string {
  return `${STREAM_PREFIX}${id}`
}

/** Who looks the binding up, and how its caller names another one. */
export type BindingUser = 'channels()' | 'publisher' | 'global topics' | 'createStreamChannel' | 'shards'

const OTHER_BINDING: Record<BindingUser, (binding: string) => string> = {
  'channels()': (binding) => `channels({ binding: '${binding}' })`,
  publisher: (binding) => `publisher(env, { binding: '${binding}' })`,
  // A global topic reaches coordinators under the binding the router reached the instance through.
  'global topics': (binding) => `channels({ binding: '${binding}' })`,
  createStreamChannel: (binding) => `createStreamChannel(env, { binding: '${binding}' })`,
  // Shards reach each other under the binding the router reached them through.
  shards: (binding) => `channels({ binding: '${binding}' })`,
}

/** How many of env's Durable Object bindings a message names. */
const LISTED_BINDINGS = 10

/** The binding is not in env (or is not a Durable Object namespace). The message says both fixes. */
export class MissingBindingError extends Error {
  override readonly name = 'MissingBindingError'
}

/** Situations already logged: each is logged once per isolate, not once per request. */
const logged = new Set<string>()

/**
 * The `ChannelObject` namespace under `binding` in `env`. When it is missing,
 * throws a `MissingBindingError` naming the fixes (bind ChannelObject under
 * that name, or name a binding env has), and logs the same once per isolate.
 */
export function channelNamespace<T extends Rpc.DurableObjectBranded | undefined = undefined>(env: Record<string, unknown>, binding: string, who: BindingUser): DurableObjectNamespace<T> {
  const namespace = env[binding] as DurableObjectNamespace<T> | undefined
  if (namespace && typeof namespace.getByName === 'function') return namespace
  const found = durableObjectBindings(env)
  const message = missingBindingMessage(binding, who, found, binding in env)
  const key = `${who}\0${binding}\0${found.join(',')}`
  if (!logged.has(key)) {
    logged.add(key)
    shellLog.error('channel.binding_missing', { binding, found, problem: message })
  }
  throw new MissingBindingError(message)
}

/** The names in env that look like Durable Object namespaces (they have `getByName` or `idFromName`, and are not service bindings). */
function durableObjectBindings(env: Record<string, unknown>): string[] {
  return Object.keys(env)
    .filter((name) => {
      const value = env[name] as { getByName?: unknown; idFromName?: unknown; fetch?: unknown } | null | undefined
      if (typeof value !== 'object' || value === null) return false
      // A service binding answers any property (JS RPC), but it has a fetch of its own; a namespace has none.
      return (typeof value.getByName === 'function' || typeof value.idFromName === 'function') && typeof value.fetch !== 'function'
    })
    .sort()
}

function missingBindingMessage(binding: string, who: BindingUser, found: string[], present: boolean): string {
  const problem = present ? `env.${binding} is not a Durable Object binding` : `no Durable Object binding "${binding}" in env`
  const bind = `bind ChannelObject as ${binding} in wrangler.toml ([[durable_objects.bindings]] name = "${binding}")`
  if (found.length === 0) return `${who}: ${problem}. Fix: ${bind}; env has no Durable Object bindings at all`
  const listed = found.slice(0, LISTED_BINDINGS).join(', ') + (found.length > LISTED_BINDINGS ? `, and ${found.length - LISTED_BINDINGS} more` : '')
  const which = found.length === 1 ? 'the one env has' : `one env has (${listed})`
  return `${who}: ${problem}. Fix: ${bind}, or use ${which}: ${OTHER_BINDING[who](found[0]!)}`
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
