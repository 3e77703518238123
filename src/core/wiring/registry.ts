import { WiringError } from '../errors'
import type { PikkuChannelMiddleware, PikkuFunction } from '../types'
import type { ChannelDefinition } from './channel-definition'

/**
 * Everything wired in one isolate: channels, rpc functions, and channel
 * middleware by tag. Wiring files fill the default instance at import time
 * (through `wire.ts`); the Worker's router, its Durable Objects and the CLI
 * read it. A Durable Object never calls `channels()` itself: it relies on the
 * Worker module, loaded in the same isolate, having imported the wirings.
 * The core never reads it: runtimes are given what they need.
 */
export class Registry {
  readonly channels = new Map<string, ChannelDefinition>()
  readonly functions = new Map<string, PikkuFunction>()
  readonly #channelMiddleware = new Map<string, PikkuChannelMiddleware[]>()
  #sealedBy: string | undefined

  addChannel(channel: ChannelDefinition): void {
    this.#assertOpen(`wireChannel({ name: '${channel.name}' })`)
    if (this.channels.has(channel.name)) throw new WiringError(`channel name "${channel.name}" is wired twice; channel names must be unique`)
    for (const other of this.channels.values()) {
      if (other.route.shape === channel.route.shape) {
        throw new WiringError(`channels "${other.name}" (${other.route.pattern}) and "${channel.name}" (${channel.route.pattern}) have the same route; a path could not tell them apart`)
      }
    }
    this.channels.set(channel.name, channel)
  }

  addFunction(name: string, func: PikkuFunction): void {
    this.#assertOpen(`wireRPC({ ${name} })`)
    const existing = this.functions.get(name)
    if (existing && existing !== func) throw new WiringError(`rpc name "${name}" is wired twice to different functions`)
    this.functions.set(name, func)
  }

  addChannelMiddleware(tag: string, middleware: PikkuChannelMiddleware[]): void {
    this.#channelMiddleware.set(tag, [...(this.#channelMiddleware.get(tag) ?? []), ...middleware])
  }

  /** Channel middleware for a channel: its tags' (in tag order), then its own. */
  channelMiddlewareFor(channel: ChannelDefinition): PikkuChannelMiddleware[] {
    return [...channel.tags.flatMap((tag) => this.#channelMiddleware.get(tag) ?? []), ...channel.channelMiddleware]
  }

  /** Called once routes are built from the registry: later wirings would be silently missing. */
  seal(by: string): void {
    this.#sealedBy ??= by
  }

  #assertOpen(what: string): void {
    if (this.#sealedBy) throw new WiringError(`${what} ran after ${this.#sealedBy} had read the wirings; import your *.channel.ts files before calling it`)
  }
}

/** The isolate's registry, filled by `wireChannel`, `wireRPC` and `addChannelMiddleware`. */
export const registry = new Registry()
