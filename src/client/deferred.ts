/**
 * A promise whose settle functions live outside it, and that knows whether it
 * has settled. `Promise.withResolvers` would do most of this, but it needs
 * Node 22 and the client still supports Node 20.
 */
export interface Deferred<T> {
  readonly promise: Promise<T>
  /** True once resolved or rejected: a caller that needs a fresh wait replaces a settled one. */
  readonly settled: boolean
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T>(): Deferred<T> {
  let settled = false
  let resolvePromise!: (value: T) => void
  let rejectPromise!: (error: unknown) => void
  const promise = new Promise<T>((resolve, reject) => {
    resolvePromise = resolve
    rejectPromise = reject
  })
  // Nobody may be waiting; a rejection must not surface as unhandled.
  promise.catch(() => undefined)
  return {
    promise,
    get settled() {
      return settled
    },
    resolve(value) {
      settled = true
      resolvePromise(value)
    },
    reject(error) {
      settled = true
      rejectPromise(error)
    },
  }
}
