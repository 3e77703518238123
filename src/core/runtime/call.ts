import { ChannelError } from '../errors'
import { isSyncValibot, parseSync, parseWith } from '../schema'
import type { Interaction, Permissions, PikkuFunction, PikkuMiddleware, Services, Wire } from '../types'
import { runMiddleware } from './middleware'
import { checkPermissions } from './permission'

/**
 * What a call without the session it needs is told: how to give it one, and
 * how to say it needs none (the channel's `auth` defaults to true).
 */
export const SESSION_REQUIRED =
  'This call needs a session: set one with wire.setSession(...) or services.setSession(...), or in an upgrade authenticate; or mark the channel or action auth: false'

/** The rules a call runs under, decided by the wiring. */
export interface CallRules {
  readonly auth: boolean
  readonly permissions: Permissions | undefined
  readonly middleware: readonly PikkuMiddleware[]
}

/** Who is calling and with what. */
export interface CallScope {
  readonly services: Services
  readonly wire: Wire
}

/**
 * Runs one function the way every call runs, from a socket or from
 * `rpc.invoke`: middleware (outermost first), then authentication, input
 * validation, permissions, the function, and output validation.
 * Middleware runs first so it can establish a session. `interaction` is only
 * built when something needs it.
 */
export function callFunction(func: PikkuFunction, data: unknown, rules: CallRules, scope: CallScope, interaction: () => Interaction): Promise<unknown> {
  if (rules.middleware.length === 0) return run(func, data, rules, scope, interaction)
  let result: unknown
  return runMiddleware(rules.middleware, scope.services, interaction(), async () => {
    result = await run(func, data, rules, scope, interaction)
  }).then(() => result)
}

/**
 * The call itself. The common case (a synchronous valibot input schema, no
 * permissions, no output schema) adds no promise of its own: every promise
 * per message is time on the hot path.
 */
function run(func: PikkuFunction, data: unknown, rules: CallRules, scope: CallScope, interaction: () => Interaction): Promise<unknown> {
  try {
    if (rules.auth && scope.wire.session === undefined) throw new ChannelError('UNAUTHENTICATED', SESSION_REQUIRED)
    const schema = func.input
    if (rules.permissions || func.output || (schema && !isSyncValibot(schema))) return checkedRun(func, data, rules, scope, interaction)
    const input = schema ? parseSync(schema, data, 'Input') : data
    return Promise.resolve(func.func(scope.services, input, scope.wire))
  } catch (error) {
    return Promise.reject(error)
  }
}

async function checkedRun(func: PikkuFunction, data: unknown, rules: CallRules, scope: CallScope, interaction: () => Interaction): Promise<unknown> {
  const input = func.input ? await parseWith(func.input, data, 'Input') : data
  if (rules.permissions && !(await checkPermissions(rules.permissions, scope.services, input, scope.wire))) {
    throw new ChannelError('FORBIDDEN', 'Not permitted')
  }
  const result = await func.func(scope.services, input, scope.wire)
  // An output mismatch is the server's bug: it must not reach the client as INVALID_INPUT.
  if (!func.output) return result
  try {
    return await parseWith(func.output, result, 'Output')
  } catch (error) {
    const { action, kind } = interaction()
    throw new Error(`output of ${action ?? kind} does not match its schema: ${(error as Error).message}`)
  }
}
