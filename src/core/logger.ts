/** The logger every handler finds at `services.logger`. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

type Level = keyof Logger

/** Errors do not survive JSON.stringify; keep what a reader of the log needs. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
}

/**
 * One JSON line per entry, so `wrangler tail` and log search can filter on fields.
 */
export function createConsoleLogger(base: Record<string, unknown> = {}): Logger {
  const write = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    const entry: Record<string, unknown> = { level, message, ...base }
    if (fields) for (const key of Object.keys(fields)) entry[key] = plain(fields[key])
    const line = JSON.stringify(entry)
    if (level === 'error') console.error(line)
    else if (level === 'warn') console.warn(line)
    else console.log(line)
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
