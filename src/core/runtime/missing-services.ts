/**
 * Keys read without meaning a service: by `await` and promise resolution
 * (`then`), serializers (`toJSON`), and inspection. Reading them never fails.
 */
const NOT_SERVICES = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', '$$typeof'])

/**
 * A connection's services for an isolate where no services were registered:
 * reading a key they do not have (`services.db`) throws `missing(key)`
 * instead of giving `undefined`, so the handler fails saying what is
 * missing rather than with "Cannot read properties of undefined". Only
 * used then: with registered services, services stay a plain object.
 */
export function guardServices<S extends object>(services: S, missing: (key: string) => Error): S {
  return new Proxy(services, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || NOT_SERVICES.has(key)) return Reflect.get(target, key, receiver)
      throw missing(key)
    },
  })
}
