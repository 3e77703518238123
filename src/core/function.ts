import type { Middleware } from './middleware'
import type { Permissions } from './permission'
import type { OutputSchema, Schema } from './schema'
import type { AppSession, ChannelServices, Services, Wire } from './types'

/** Which constructor made a function; decides its defaults (pikkuFunc needs a session). */
export type FunctionKind = 'func' | 'sessionless' | 'connect' | 'disconnect' | 'channel'

const KIND = Symbol.for('pikku-durable-channels.function')

/** Everything a function kind accepts besides `func`. */
export interface FunctionOptions<In, Out> {
  /** Whether a session is required. Default: true for `pikkuFunc`, the channel's `auth` otherwise. */
  auth?: boolean
  /** Any one key passing lets the call through; an array under a key needs all its entries. */
  permissions?: Permissions
  /** Runs around this function, inside the channel's middleware. */
  middleware?: Middleware[]
  /** Validates and types the input (valibot). */
  input?: Schema<In>
  /**
   * Validates and types the result; a mismatch is a server bug and answers
   * `INTERNAL`. It must not transform: the handler returns what the client gets.
   */
  output?: OutputSchema<Out>
  title?: string
  tags?: string[]
}

/**
 * A function as the runtime stores it. `~in`/`~out` carry types only; `~wireIn`
 * is the input as a client sends it (before schema defaults and transforms).
 */
export interface PikkuFunction<In = any, Out = any, Kind extends FunctionKind = FunctionKind, WireIn = In> extends FunctionOptions<In, Out> {
  readonly [KIND]: Kind
  readonly kind: Kind
  readonly func: (services: any, data: In, wire: any) => Out | Promise<Out>
  readonly '~in'?: In
  readonly '~out'?: Out
  readonly '~wireIn'?: WireIn
}

export type InputOf<F> = F extends PikkuFunction<infer In, any, any, any> ? In : never
export type OutputOf<F> = F extends PikkuFunction<any, infer Out, any, any> ? Awaited<Out> : never
/** What a client sends: the input schema's input type (defaults still optional), or the input type. */
export type WireInputOf<F> = F extends PikkuFunction<any, any, any, infer WireIn> ? WireIn : never

type Handler<In, Out, S, W> = (services: S, data: In, wire: W) => Out | Promise<Out>
/** `input`'s own input type is captured as `WireIn` (valibot keeps it in `~types`). */
type Config<In, Out, S, W, WireIn = In> = Omit<FunctionOptions<In, Out>, 'input'> & {
  input?: Schema<In> & { readonly '~types'?: { readonly input: WireIn } | undefined }
  func: Handler<In, Out, S, W>
}

export function isPikkuFunction(value: unknown): value is PikkuFunction {
  return typeof value === 'object' && value !== null && KIND in value
}

function define<Kind extends FunctionKind>(kind: Kind, config: Config<any, any, any, any, any> | Handler<any, any, any, any>): PikkuFunction<any, any, Kind, any> {
  const options = typeof config === 'function' ? { func: config } : config
  if (typeof options?.func !== 'function') throw new TypeError(`${kind} function: "func" must be a function`)
  return Object.freeze({ ...options, kind, [KIND]: kind })
}

/** A function that always needs a session (unless a wiring says `auth: false`). */
export function pikkuFunc<In = unknown, Out = unknown, WireIn = In>(
  config: Config<In, Out, Services, Wire<AppSession>, WireIn> | Handler<In, Out, Services, Wire<AppSession>>,
): PikkuFunction<In, Out, 'func', WireIn> {
  return define('func', config)
}

/** A function that runs with or without a session. */
export function pikkuSessionlessFunc<In = unknown, Out = unknown, WireIn = In>(
  config: Config<In, Out, Services, Wire, WireIn> | Handler<In, Out, Services, Wire>,
): PikkuFunction<In, Out, 'sessionless', WireIn> {
  return define('sessionless', config)
}

/** Pikku's other spelling of {@link pikkuSessionlessFunc}. */
export const pikkuFuncSessionless = pikkuSessionlessFunc

/** `onConnect`: its result is the `data` of the `welcome` frame. `data` is the opening data. */
export function pikkuChannelConnectionFunc<Out = unknown, ChannelData = unknown>(
  config: Config<ChannelData, Out, ChannelServices<ChannelData>, Wire> | Handler<ChannelData, Out, ChannelServices<ChannelData>, Wire>,
): PikkuFunction<ChannelData, Out, 'connect'> {
  return define('connect', config)
}

/** `onDisconnect`: runs exactly once per connection. `data` is the opening data. */
export function pikkuChannelDisconnectionFunc<ChannelData = unknown>(
  config: Config<ChannelData, void, ChannelServices<ChannelData>, Wire> | Handler<ChannelData, void, ChannelServices<ChannelData>, Wire>,
): PikkuFunction<ChannelData, void, 'disconnect'> {
  return define('disconnect', config)
}

/** An action or message handler; its result is sent back as the `reply`. */
export function pikkuChannelFunc<In = unknown, Out = unknown, ChannelData = unknown, WireIn = In>(
  config: Config<In, Out, ChannelServices<ChannelData>, Wire, WireIn> | Handler<In, Out, ChannelServices<ChannelData>, Wire>,
): PikkuFunction<In, Out, 'channel', WireIn> {
  return define('channel', config)
}
