import type { Context } from 'hono'
import * as v from 'valibot'
import { INTERNAL_ERROR } from '../core/errors'
import { createConsoleLogger } from '../core/logger'
import { registry } from '../core/registry'
import { toIssues } from '../core/schema'
import { findTopic, topicProblem } from '../core/topics'
import { publisher } from './publisher'

export interface PublishRouteOptions {
  /** Where the route listens. Default `/_publish`. */
  path?: string
  /** Name of the env secret that callers send as `Authorization: Bearer <secret>` (at least 16 characters). */
  secret: string
}

const PublishBody = v.object({
  channel: v.string(),
  /** Route parameters of the instance; leave out to broadcast a global topic. */
  params: v.optional(v.record(v.string(), v.string())),
  topic: v.string(),
  data: v.unknown(),
})

const MIN_SECRET_LENGTH = 16

const log = createConsoleLogger()

type Env = { Bindings: Record<string, unknown> }

/**
 * `POST {path}` with `{ channel, params?, topic, data }`: publishes as a
 * channel's own handlers would. Off unless `channels({ publishRoute })` is set.
 */
export function publishHandler(options: PublishRouteOptions, binding: string) {
  return async (c: Context<Env>): Promise<Response> => {
    const expected = c.env?.[options.secret]
    if (typeof expected !== 'string' || expected.length < MIN_SECRET_LENGTH) {
      return c.json({ error: { code: 'INTERNAL', message: `The publish route needs the secret ${options.secret} (at least ${MIN_SECRET_LENGTH} characters) in env` } }, 500)
    }
    if (!constantTimeEqual(c.req.header('authorization') ?? '', `Bearer ${expected}`)) {
      return c.json({ error: { code: 'UNAUTHENTICATED', message: 'Send the publish secret as "Authorization: Bearer <secret>"' } }, 401)
    }
    const bad = (message: string, issues?: unknown) => c.json({ error: { code: 'INVALID_INPUT', message, ...(issues ? { issues } : {}) } }, 400)
    let json: unknown
    try {
      json = await c.req.json()
    } catch {
      return bad('The body must be JSON: { channel, params?, topic, data }')
    }
    const parsed = v.safeParse(PublishBody, json)
    if (!parsed.success) return bad(`The body is invalid: ${parsed.issues[0].message}`, toIssues(parsed.issues))
    const { channel: name, params, topic, data } = parsed.output
    const channel = registry.channels.get(name)
    if (!channel) return bad(`No channel named "${name}" is wired`)
    const problem = topicProblem(topic, false)
    if (problem) return bad(problem)
    const declared = findTopic(channel.topics, topic)
    if (!declared) return bad(`Topic "${topic}" is not declared on channel "${name}"`)

    const publish = publisher(c.env, { binding })
    try {
      if (params === undefined) {
        if (!declared.spec.global) return bad(`Topic "${topic}" is not global: give the instance's params`)
        return c.json(await publish.broadcast(channel, topic as never, data as never))
      }
      return c.json(await publish.publish(channel, params as never, topic as never, data as never))
    } catch (error) {
      const message = (error as Error)?.message ?? String(error)
      // eventHub and parameter errors are the caller's to fix; anything else is ours.
      if (message.startsWith('eventHub:') || message.includes('needs the parameter')) return bad(message)
      log.error('channel.publish_failed', { channel: name, topic, error })
      return c.json({ error: INTERNAL_ERROR }, 500)
    }
  }
}

/** Compares without leaking, through timing, how much of a guess was right. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < y.length; i++) diff |= (x[i] ?? 0) ^ y[i]!
  return diff === 0
}
