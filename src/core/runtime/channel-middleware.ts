import type { ChannelEvent, ChannelServices, PikkuChannelMiddleware } from '../types'

/** Defines a channel middleware (identity at runtime; it types the arguments). */
export function pikkuChannelMiddleware(middleware: PikkuChannelMiddleware): PikkuChannelMiddleware {
  return middleware
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
