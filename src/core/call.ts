import { ChannelError } from './errors'
import type { PikkuFunction } from './function'
import { runMiddleware, type Interaction, type Middleware } from './middleware'
import { checkPermissions, type Permissions } from './permission'
import { parseSync, parseWith } from './schema'
import type { Services, Wire } from './types'

/** The rules a call runs under, decided by the wiring. */
export interface CallRules {
  readonly auth: boolean
  readonly permissions: Permissions | undefined
  readonly middleware: readonly Middleware[]
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
 * Middleware runs first so it can establish a session.
 */
export async function callFunction(func: PikkuFunction, data: unknown, rules: CallRules, scope: CallScope, interaction: Interaction): Promise<unknown> {
  const run = async () => {
    if (rules.auth && scope.wire.session === undefined) throw new ChannelError('UNAUTHENTICATED', 'This call needs a session')
    const schema = func.input
    const input = schema ? (schema.async ? await parseWith(schema, data, 'Input') : parseSync(schema, data, 'Input')) : data
    if (rules.permissions && !(await checkPermissions(rules.permissions, scope.services, input, scope.wire))) {
      throw new ChannelError('FORBIDDEN', 'Not permitted')
    }
    const result = await func.func(scope.services, input, scope.wire)
    // An output mismatch is the server's bug: it must not reach the client as INVALID_INPUT.
    if (func.output) {
      try {
        return await parseWith(func.output, result, 'Output')
      } catch (error) {
        throw new Error(`output of ${interaction.action ?? interaction.kind} does not match its schema: ${(error as Error).message}`)
      }
    }
    return result
  }
  if (rules.middleware.length === 0) return run()
  let result: unknown
  await runMiddleware(rules.middleware, scope.services, interaction, async () => {
    result = await run()
  })
  return result
}
