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

/** Builds the singleton services for one object. */
export async function createSingletonServices(context: ServicesContext): Promise<SingletonServices> {
  const services = ((await registered?.(context)) ?? {}) as Record<string, unknown> & { logger?: Logger }
  return { ...services, logger: services.logger ?? createConsoleLogger() }
}
