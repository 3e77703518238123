import type { Interaction, PikkuMiddleware, Services } from '../types'

/** Defines a middleware (identity at runtime; it types the arguments). */
export function pikkuMiddleware(middleware: PikkuMiddleware): PikkuMiddleware {
  return middleware
}

/** Runs `middleware` outermost-first around `handler`. */
export function runMiddleware(middleware: readonly PikkuMiddleware[], services: Services, interaction: Interaction, handler: () => Promise<void>): Promise<void> {
  let last = -1
  const dispatch = (i: number): Promise<void> => {
    if (i <= last) return Promise.reject(new Error('middleware called next() more than once'))
    last = i
    const current = middleware[i]
    return current ? current(services, interaction, () => dispatch(i + 1)) : handler()
  }
  return dispatch(0)
}
