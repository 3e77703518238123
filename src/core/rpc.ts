import { callFunction, type CallScope } from './call'
import { WiringError } from './errors'
import { isPikkuFunction, type PikkuFunction } from './function'
import type { Interaction } from './middleware'
import { registry } from './registry'
import type { RPCInvoker } from './types'

/**
 * Registers functions for `services.rpc.invoke(name, data)` under their keys,
 * and returns the map (put `typeof` it in `Register['rpc']` for typed calls).
 * This is how logic is shared between a channel action and an HTTP route.
 */
export function wireRPC<const Functions extends Record<string, PikkuFunction>>(functions: Functions): Functions {
  for (const [name, func] of Object.entries(functions)) {
    if (!isPikkuFunction(func)) throw new WiringError(`wireRPC: "${name}" must be a function made with pikkuFunc or pikkuSessionlessFunc`)
    registry.addFunction(name, func)
  }
  return functions
}

/** `services.rpc` for one caller: each invoked function keeps its own auth, permissions and validation. */
export function createRPC(scope: () => CallScope, interaction: () => Interaction): RPCInvoker {
  return {
    invoke(name: string, data: unknown): Promise<any> {
      const func: PikkuFunction | undefined = registry.functions.get(name)
      if (!func) return Promise.reject(new Error(`rpc.invoke: no function named "${name}"; register it with wireRPC`))
      const rules = { auth: func.auth ?? func.kind === 'func', permissions: func.permissions, middleware: func.middleware ?? [] }
      return callFunction(func, data, rules, scope(), interaction)
    },
  } as RPCInvoker
}
