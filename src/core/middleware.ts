import type { Services } from './types'

/** What a middleware is wrapped around. */
export interface Interaction {
  kind: 'connect' | 'message' | 'disconnect'
  /** Channel name. */
  channel: string
  /** The channel's route pattern, e.g. `/chat/:room`. */
  route: string
  channelId: string
  /** The action, for messages routed by `onMessageWiring`. */
  action?: string
}

/** Runs around a handler; call `next()` to continue, throw to stop with an error. */
export type PikkuMiddleware = (services: Services, interaction: Interaction, next: () => Promise<void>) => Promise<void>
export type Middleware = PikkuMiddleware

/** Defines a middleware (identity at runtime; it types the arguments). */
export function pikkuMiddleware(middleware: PikkuMiddleware): PikkuMiddleware {
  return middleware
}

/** Runs `middleware` outermost-first around `handler`. */
export function runMiddleware(middleware: readonly Middleware[], services: Services, interaction: Interaction, handler: () => Promise<void>): Promise<void> {
  let last = -1
  const dispatch = (i: number): Promise<void> => {
    if (i <= last) return Promise.reject(new Error('middleware called next() more than once'))
    last = i
    const current = middleware[i]
    return current ? current(services, interaction, () => dispatch(i + 1)) : handler()
  }
  return dispatch(0)
}
