/**
 * The logger every handler finds at `services.logger`. Pikku's shape: a
 * message with fields (`logger.info('joined', { room })`), or an object on its
 * own (`logger.info({ phase: 'before-send', event })`, as seed 001 logs).
 */
export interface Logger {
  debug(messageOrFields: string | Record<string, unknown>, ...meta: unknown[]): void
  info(messageOrFields: string | Record<string, unknown>, ...meta: unknown[]): void
  warn(messageOrFields: string | Record<string, unknown>, ...meta: unknown[]): void
  error(messageOrFields: string | Record<string, unknown> | Error, ...meta: unknown[]): void
}

type Level = keyof Logger

/** Errors do not survive JSON.stringify; keep what a reader of the log needs. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
}

/** Copies an object's fields into the entry, making errors readable. */
function addFields(entry: Record<string, unknown>, fields: object): void {
  for (const key of Object.keys(fields)) entry[key] = plain((fields as Record<string, unknown>)[key])
}

/**
 * One JSON line per entry, so `wrangler tail` and log search can filter on
 * fields. Objects after the message add their fields; anything else goes
 * into `meta`.
 */
export function createConsoleLogger(base: Record<string, unknown> = {}): Logger {
  const write =
    (level: Level) =>
    (first: string | Record<string, unknown> | Error, ...meta: unknown[]) => {
      const entry: Record<string, unknown> = { level, ...base }
      if (typeof first === 'string') entry.message = first
      else if (first instanceof Error) entry.error = plain(first)
      else addFields(entry, first)
      const rest: unknown[] = []
      for (const item of meta) {
        if (typeof item === 'object' && item !== null && !Array.isArray(item) && !(item instanceof Error)) addFields(entry, item)
        else if (item !== undefined) rest.push(plain(item))
      }
      if (rest.length > 0) entry.meta = rest
      const line = JSON.stringify(entry)
      if (level === 'error') console.error(line)
      else if (level === 'warn') console.warn(line)
      else console.log(line)
    }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
