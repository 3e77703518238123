import { registry } from './registry'
import type { ChannelServices } from './types'

/**
 * A frame on its way to one connection, before encoding: a `reply`, a
 * `message` (`channel.send`) or an `event` (EventHub delivery). Welcome,
 * error and pong frames are protocol bookkeeping and skip channel middleware;
 * so do binary frames.
 */
export interface ChannelEvent {
  type: string
  data?: any
  [field: string]: unknown
}

/** Passes the event on (possibly changed), fans it out (`[a, b]`), or drops it (`null`). */
export type ChannelMiddlewareNext = (event: ChannelEvent | ChannelEvent[] | null) => Promise<void>

/** Runs on everything a connection is sent, in the connection's own services. */
export type PikkuChannelMiddleware = (services: ChannelServices, event: ChannelEvent, next: ChannelMiddlewareNext) => Promise<void>

/** Defines a channel middleware (identity at runtime; it types the arguments). */
export function pikkuChannelMiddleware(middleware: PikkuChannelMiddleware): PikkuChannelMiddleware {
  return middleware
}

/**
 * Adds channel middleware to every channel carrying `tag`, ahead of the
 * channel's own `channelMiddleware`. Call it at module level, beside your wirings.
 */
export function addChannelMiddleware(tag: string, middleware: PikkuChannelMiddleware[]): void {
  registry.addChannelMiddleware(tag, middleware)
}

/**
 * Runs `event` through `middleware` in order; each event a middleware passes
 * on continues through the rest. Returns what is left to send, in order.
 */
export async function runChannelMiddleware(middleware: readonly PikkuChannelMiddleware[], services: ChannelServices, event: ChannelEvent): Promise<ChannelEvent[]> {
  const out: ChannelEvent[] = []
  const run = async (index: number, current: ChannelEvent): Promise<void> => {
    const step = middleware[index]
    if (!step) {
      out.push(current)
      return
    }
    let called = false
    await step(services, current, async (next) => {
      if (called) throw new Error('channel middleware called next() more than once')
      called = true
      if (next === null || next === undefined) return
      for (const item of Array.isArray(next) ? next : [next]) await run(index + 1, item)
    })
  }
  await run(0, event)
  return out
}
