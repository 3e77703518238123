import { createConsoleLogger, pikkuServices, type Logger } from 'pikku-durable-channels'
import { Db } from './db'
import { jwt } from './jwt'

/** Every line the seeds' handlers logged, for tests to read (tests and objects share the isolate). */
export const logged: { level: string; first: unknown; meta: unknown[] }[] = []

const console = createConsoleLogger()
const at =
  (level: keyof Logger) =>
  (first: never, ...meta: unknown[]) => {
    logged.push({ level, first, meta })
    console[level](first, ...meta)
  }
const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }

/** What every seed project's Worker registers: the seeds' `db` and `jwt`, and a logger tests can read. */
export const createServices = pikkuServices(({ storage }) => ({ db: new Db(storage.sql), jwt, logger }))

declare module 'pikku-durable-channels' {
  interface Register {
    services: Awaited<ReturnType<typeof createServices>>
    session: { userId: string }
  }
}
