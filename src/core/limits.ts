import { WiringError } from './errors'

/** A per-connection token bucket: `perSecond` sustained, `burst` at once. */
export interface RateLimit {
  perSecond: number
  burst: number
  /** Consecutive rejected messages after which the connection is closed with 4429. */
  closeAfter: number
}

/** What one connection is held to. Resolved when it opens and kept with it. */
export interface Limits {
  /** Largest frame accepted, in bytes; larger ones get `TOO_LARGE`. */
  maxMessageSize: number
  /** `false` turns rate limiting off. */
  rateLimit: RateLimit | false
  /** Connections one channel instance accepts; the next upgrade is refused with 503. */
  maxConnections: number
}

/** Limits as a wiring or `channels()` states them: any subset. */
export interface LimitOptions {
  maxMessageSize?: number
  rateLimit?: Partial<RateLimit> | false
  maxConnections?: number
}

/** Workers accept WebSocket messages up to 32 MiB; larger ones close with 1009. */
export const PLATFORM_MAX_MESSAGE_SIZE = 32 * 1024 * 1024
/** Hibernatable sockets one object may hold. */
export const PLATFORM_MAX_CONNECTIONS = 32_768

export const DEFAULT_LIMITS: Limits = {
  maxMessageSize: 1024 * 1024,
  // Generous for people, tight for scripts: 100 messages a second, 200 at once.
  rateLimit: { perSecond: 100, burst: 200, closeAfter: 50 },
  maxConnections: PLATFORM_MAX_CONNECTIONS,
}

/** How many subscriptions a channel's connections may hold: each, and all of an instance's together. */
export interface SubscriptionCaps {
  perConnection: number
  perInstance: number
}

/** Room for a page's worth of topics per connection; an instance's SQLite index stays small enough to scan. */
export const DEFAULT_SUBSCRIPTION_CAPS: SubscriptionCaps = { perConnection: 256, perInstance: 100_000 }

/** A channel's `maxSubscriptions` and `maxInstanceSubscriptions`, checked and with the defaults filled in. */
export function subscriptionCapsOf(options: { maxSubscriptions?: unknown; maxInstanceSubscriptions?: unknown }, where: string): SubscriptionCaps {
  const cap = (value: unknown, name: string, fallback: number) => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new WiringError(`${where}: ${name} must be a whole number of at least 1`)
    return value
  }
  return {
    perConnection: cap(options.maxSubscriptions, 'maxSubscriptions', DEFAULT_SUBSCRIPTION_CAPS.perConnection),
    perInstance: cap(options.maxInstanceSubscriptions, 'maxInstanceSubscriptions', DEFAULT_SUBSCRIPTION_CAPS.perInstance),
  }
}

/** Checks limit options where they are written, so a typo fails at wiring time. */
export function checkLimits(options: LimitOptions, where: string): LimitOptions {
  const whole = (value: unknown, name: string, max: number) => {
    if (value === undefined) return
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw new WiringError(`${where}: ${name} must be a whole number from 1 to ${max}`)
  }
  whole(options.maxMessageSize, 'maxMessageSize', PLATFORM_MAX_MESSAGE_SIZE)
  whole(options.maxConnections, 'maxConnections', PLATFORM_MAX_CONNECTIONS)
  const rate = options.rateLimit
  if (rate !== undefined && rate !== false) {
    if (typeof rate !== 'object' || rate === null) throw new WiringError(`${where}: rateLimit must be false or { perSecond?, burst?, closeAfter? }`)
    const positive = (value: unknown, name: string) => {
      if (value !== undefined && (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))) throw new WiringError(`${where}: rateLimit.${name} must be a positive number`)
    }
    positive(rate.perSecond, 'perSecond')
    positive(rate.burst, 'burst')
    whole(rate.closeAfter, 'rateLimit.closeAfter', Number.MAX_SAFE_INTEGER)
  }
  return { maxMessageSize: options.maxMessageSize, rateLimit: options.rateLimit, maxConnections: options.maxConnections }
}

/** The channel's own settings win, then the router's, then the defaults. */
export function resolveLimits(channel: LimitOptions = {}, router: LimitOptions = {}): Limits {
  const pick = <K extends keyof LimitOptions>(key: K) => channel[key] ?? router[key]
  const rate = pick('rateLimit')
  return {
    maxMessageSize: pick('maxMessageSize') ?? DEFAULT_LIMITS.maxMessageSize,
    maxConnections: pick('maxConnections') ?? DEFAULT_LIMITS.maxConnections,
    rateLimit: rate === false ? false : { ...(DEFAULT_LIMITS.rateLimit as RateLimit), ...rate },
  }
}
