import { WiringError } from './errors'
import type { PikkuChannelMiddleware } from './channel-middleware'
import type { PikkuFunction } from './function'
import type { ChannelDefinition } from './wire-channel'

/**
 * Everything wired in this isolate. Wiring files run at import time and add
 * to it; the router and the Durable Object read it. One per isolate, like
 * Hono's app: the Worker and its objects load the same modules.
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
    if (typeof tag !== 'string' || tag.length === 0) throw new WiringError('addChannelMiddleware: the tag must be a non-empty string')
    if (!Array.isArray(middleware) || !middleware.every((m) => typeof m === 'function')) {
      throw new WiringError(`addChannelMiddleware('${tag}'): expects an array of pikkuChannelMiddleware functions`)
    }
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

export const registry = new Registry()
