import type { Interaction, PikkuFunction, RPCInvoker } from '../types'
import { callFunction, type CallScope } from './call'

/**
 * `services.rpc` for one connection: each invoked function keeps its own
 * auth, permissions, validation and middleware, and runs with the caller's
 * session. Its middleware sees `kind: 'rpc'` with the function's name as
 * `action`, whichever handler invoked it.
 */
export function createRPC(
  functions: ReadonlyMap<string, PikkuFunction>,
  scope: () => CallScope,
  interaction: (name: string) => Interaction,
  onOwner?: (name: string, data: unknown) => Promise<unknown> | undefined,
): RPCInvoker {
  return {
    invokeOnOwner(name: string, data: unknown): Promise<any> {
      // Undefined: this is the owner (or the channel is not sharded), so it runs here.
      return onOwner?.(name, data) ?? this.invoke(name, data)
    },
    invoke(name: string, data: unknown): Promise<any> {
      const func = functions.get(name)
      if (!func) return Promise.reject(new Error(`rpc.invoke: no function named "${name}"; register it with wireRPC`))
      const rules = { auth: func.auth ?? func.kind === 'func', permissions: func.permissions, middleware: func.middleware ?? [] }
      return callFunction(func, data, rules, scope(), () => interaction(name))
    },
  } as RPCInvoker
}
