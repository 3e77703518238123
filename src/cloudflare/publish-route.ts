import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import * as v from 'valibot'
import { INTERNAL_ERROR } from '../core/errors'
import { MAX_EVENT_DEPTH } from '../core/event-hub/event-checks'
import { nestsDeeperThan } from '../core/json-depth'
import { resolveLimits, type LimitOptions } from '../core/limits'
import { toIssues } from '../core/schema'
import { channelNamespace, MissingBindingError } from './addressing'
import type { Registry } from '../core/wiring/registry'
import { handshakeError } from './handshake'
import { PublishError, publisher } from './publisher'
import { shellLog } from './shell-log'

export interface PublishRouteOptions {
  /** Where the route listens. Default `/_publish`. */
  path?: string
  /** Name of the env secret that callers send as `Authorization: Bearer <secret>` (at least 16 characters). */
  secret: string
  /**
   * Largest body accepted, in bytes; larger ones get 413 before they are
   * read. Default: the largest `maxMessageSize` of any wired channel, plus
   * 16 KiB for `{ channel, params, topic }`.
   */
  maxBodySize?: number
}

/** Room in a body for what surrounds `data`. */
const ENVELOPE_BYTES = 16 * 1024

const PublishBody = v.object({
  channel: v.string(),
  /** Route parameters of the instance; leave out to broadcast a global topic. */
  params: v.optional(v.record(v.string(), v.string())),
  topic: v.string(),
  data: v.unknown(),
})

const MIN_SECRET_LENGTH = 16

/** The Hono env of the shell's routes: the Worker's bindings. */
export type ShellEnv = { Bindings: Record<string, unknown> }

/**
 * `POST {path}` with `{ channel, params?, topic, data }`: publishes as a
 * channel's own handlers would. Off unless `channels({ publishRoute })` is set.
 * The caller's mistakes are 4xx with a JSON body: 413 for a body (or an
 * event) too large, 400 for one nested deeper than events may be.
 */
export function publishHandlers(options: PublishRouteOptions, binding: string, wired: Registry['channels'], limits: LimitOptions): [MiddlewareHandler<ShellEnv>, (c: Context<ShellEnv>) => Promise<Response>] {
  const maxSize = options.maxBodySize ?? Math.max(...[...wired.values()].map((channel) => resolveLimits(channel.limits, limits).maxMessageSize)) + ENVELOPE_BYTES
  const tooLarge = () => handshakeError('TOO_LARGE', `The body is larger than the publish route's limit of ${maxSize} bytes (publishRoute.maxBodySize)`)
  return [bodyLimit({ maxSize, onError: tooLarge }), publish]

  async function publish(c: Context<ShellEnv>): Promise<Response> {
    const expected = c.env?.[options.secret]
    if (typeof expected !== 'string' || expected.length < MIN_SECRET_LENGTH) {
      return handshakeError('INTERNAL', `The publish route needs the secret ${options.secret} (at least ${MIN_SECRET_LENGTH} characters) in env`)
    }
    if (!(await secretMatches(c.req.header('authorization') ?? '', `Bearer ${expected}`))) {
      return handshakeError('UNAUTHENTICATED', 'Send the publish secret as "Authorization: Bearer <secret>"')
    }
    let json: unknown
    try {
      json = await c.req.json()
    } catch {
      return handshakeError('INVALID_INPUT', 'The body must be JSON: { channel, params?, topic, data }')
    }
    // Before anything walks the body recursively (the schema, RPC's structured clone).
    if (nestsDeeperThan(json, MAX_EVENT_DEPTH + 1)) return handshakeError('INVALID_INPUT', `The body nests deeper than ${MAX_EVENT_DEPTH} levels in data`)
    const parsed = v.safeParse(PublishBody, json)
    if (!parsed.success) return handshakeError('INVALID_INPUT', `The body is invalid: ${parsed.issues[0].message}`, { issues: toIssues(parsed.issues) })
    const { channel: name, params, topic, data } = parsed.output
    const channel = wired.get(name)
    if (!channel) return handshakeError('INVALID_INPUT', `No channel named "${name}" is wired`)

    try {
      // Its binding is the router's: a missing one is named as channels() would name it.
      channelNamespace(c.env ?? {}, binding, 'channels()')
    } catch (error) {
      if (error instanceof MissingBindingError) return handshakeError('INTERNAL', error.message)
      throw error
    }
    const to = publisher(c.env, { binding, limits })
    try {
      if (params === undefined) return Response.json(await to.broadcast(channel, topic as never, data as never))
      return Response.json(await to.publish(channel, params as never, topic as never, data as never))
    } catch (error) {
      if (error instanceof PublishError) return handshakeError(error.code, error.message)
      shellLog.error('channel.publish_failed', { channel: name, topic, error })
      return handshakeError('INTERNAL', INTERNAL_ERROR.message)
    }
  }
}

const encoder = new TextEncoder()

/** Compares in constant time (the platform's `timingSafeEqual`), so timing does not tell how much of a guess was right. */
async function secretMatches(given: string, expected: string): Promise<boolean> {
  // Equal-length digests: timingSafeEqual needs equal lengths, and the length must not leak either.
  const [a, b] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(given)), crypto.subtle.digest('SHA-256', encoder.encode(expected))])
  return crypto.subtle.timingSafeEqual(a, b)
}
