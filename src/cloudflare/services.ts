import { createConsoleLogger, type Logger } from '../core/logger'
import type { SingletonServices } from '../core/runtime/runtime'

/** What a services factory gets: the Worker's env and the storage of the channel instance's object. */
export interface ServicesContext<Env = Record<string, unknown>> {
  env: Env
  /** This channel instance's Durable Object storage (SQLite: `storage.sql`). */
  storage: DurableObjectStorage
}

type Factory = (context: ServicesContext<any>) => object | Promise<object>

let registered: Factory | undefined

/**
 * Registers the app's singleton services. The factory runs once per channel
 * instance object, lazily after each wake; return a `logger` to replace the
 * default JSON console logger.
 */
export function pikkuServices<Env = Record<string, unknown>, S extends object = object>(
  factory: (context: ServicesContext<Env>) => S | Promise<S>,
): (context: ServicesContext<Env>) => S | Promise<S> {
  registered = factory as Factory
  return factory
}

/** One object's singleton services, and whether they came from a registered factory. */
export interface ObjectServices {
  singletons: SingletonServices
  /** Set when no factory was registered in this isolate: what reading a service then throws (for the runtime). */
  missingService: ((key: string) => Error) | undefined
}

/** Builds the singleton services for one object. */
export async function createSingletonServices(context: ServicesContext): Promise<ObjectServices> {
  if (!registered) return { singletons: { logger: createConsoleLogger() }, missingService: noServicesRegistered }
  const services = (await registered(context)) as Record<string, unknown> & { logger?: Logger }
  return { singletons: { ...services, logger: services.logger ?? createConsoleLogger() }, missingService: undefined }
}

/** A handler read `services.<key>`, but no `pikkuServices(...)` ran: the Worker entry never imported the module that calls it. */
function noServicesRegistered(key: string): Error {
  return new Error(
    `services.${key} was read, but no services were registered in this isolate: import the module that calls pikkuServices(...) (e.g. './services') in your Worker entry before channels()`,
  )
}

/**
 * Forgets the registered factory, as in a Worker whose entry never imported
 * its services module, until the returned function puts it back. Objects
 * that build their services meanwhile keep what they built. For tests; the
 * package does not export it.
 */
export function forgetServicesFactory(): () => void {
  const saved = registered
  registered = undefined
  return () => {
    registered = saved
  }
}
