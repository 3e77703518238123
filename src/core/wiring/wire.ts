import { WiringError } from '../errors'
import type { PikkuChannelMiddleware, PikkuFunction } from '../types'
import type { ChannelConfig, ChannelDefinition, MessageWiring, OpeningDataOf } from './channel-definition'
import type { Schema } from '../schema'
import type { TopicTable } from '../event-hub/topics'
import { defineChannel } from './define-channel'
import { isPikkuFunction } from './function'
import { registry } from './registry'

// The only writers of the registry: what a wiring file calls at import time.

/**
 * Wires a channel: checks the config, normalizes both `onMessageWiring`
 * shapes, registers it for `channels()` and `ChannelObject`, and returns it
 * (its type feeds the typed client). Mistakes throw a `WiringError` now,
 * not at the first message.
 */
export function wireChannel<
  const Name extends string,
  const Route extends string = `/${Name}`,
  const Wiring extends MessageWiring = {},
  DataSchema extends Schema | undefined = undefined,
  const Topics extends TopicTable = {},
  // What presence.of returns; without it, members are shown by their id.
  PresenceData = string,
>(
  config: ChannelConfig<Name, Route, DataSchema, Wiring, Topics, PresenceData>,
): ChannelDefinition<Name, Route, OpeningDataOf<Route, DataSchema>, Wiring, Topics, PresenceData> {
  const channel = defineChannel(config)
  registry.addChannel(channel)
  return channel as ChannelDefinition<Name, Route, OpeningDataOf<Route, DataSchema>, Wiring, Topics, PresenceData>
}

/**
 * Registers functions for `services.rpc.invoke(name, data)` under their keys,
 * and returns the map (put `typeof` it in `Register['rpc']` for typed calls).
 * This is how logic is shared between a channel action and an HTTP route.
 */
export function wireRPC<const Functions extends Record<string, PikkuFunction>>(functions: Functions): Functions {
  for (const [name, func] of Object.entries(functions)) {
    if (!isPikkuFunction(func)) throw new WiringError(`wireRPC: "${name}" must be a function made with pikkuFunc or pikkuSessionlessFunc`)
    registry.addFunction(name, func)
  }
  return functions
}

/**
 * Adds channel middleware to every channel carrying `tag`, ahead of the
 * channel's own `channelMiddleware`. Call it at module level, beside your wirings.
 */
export function addChannelMiddleware(tag: string, middleware: PikkuChannelMiddleware[]): void {
  if (typeof tag !== 'string' || tag.length === 0) throw new WiringError('addChannelMiddleware: the tag must be a non-empty string')
  if (!Array.isArray(middleware) || !middleware.every((m) => typeof m === 'function')) {
    throw new WiringError(`addChannelMiddleware('${tag}'): expects an array of pikkuChannelMiddleware functions`)
  }
  registry.addChannelMiddleware(tag, middleware)
}
