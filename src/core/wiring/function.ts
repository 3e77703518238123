import type { Schema } from '../schema'
import { checkSchema } from './checks'
import type { AppSession, ChannelServices, FunctionKind, FunctionOptions, PikkuFunction, Services, Wire } from '../types'

/** The constructor each kind is made by, for error messages. */
const NAMES: Record<FunctionKind, string> = {
  func: 'pikkuFunc',
  sessionless: 'pikkuSessionlessFunc',
  connect: 'pikkuChannelConnectionFunc',
  disconnect: 'pikkuChannelDisconnectionFunc',
  channel: 'pikkuChannelFunc',
}

/** Marks what the function kinds made, so wirings tell a function from an options object. */
const KIND = Symbol.for('pikku-durable-channels.function')

type Handler<In, Out, S, W> = (services: S, data: In, wire: W) => Out | Promise<Out>
/** `input`'s own input type is captured as `WireIn` (every Standard Schema keeps it in `~standard.types`). */
type Config<In, Out, S, W, WireIn = In> = Omit<FunctionOptions<In, Out>, 'input'> & {
  input?: Schema<In> & { readonly '~standard': { readonly types?: { readonly input: WireIn } | undefined } }
  func: Handler<In, Out, S, W>
}

/** Whether a value was made by one of the function kinds below. */
export function isPikkuFunction(value: unknown): value is PikkuFunction {
  return typeof value === 'object' && value !== null && KIND in value
}

function define<Kind extends FunctionKind>(kind: Kind, config: Config<any, any, any, any, any> | Handler<any, any, any, any>): PikkuFunction<any, any, Kind, any> {
  const options = typeof config === 'function' ? { func: config } : config
  if (typeof options?.func !== 'function') throw new TypeError(`${kind} function: "func" must be a function`)
  checkSchema(options.input, `${NAMES[kind]}: input`)
  checkSchema(options.output, `${NAMES[kind]}: output`)
  return Object.freeze({ ...options, kind, [KIND]: kind })
}

// `In` defaults to `any`: a function with neither an input schema nor a typed
// data parameter takes what it is sent, so the seeds' `async ({ db }, { text }) => ...`
// compiles as written. A schema, or an annotation, types it.

/** A function that always needs a session (unless a wiring says `auth: false`). */
export function pikkuFunc<In = any, Out = unknown, WireIn = In>(
  config: Config<In, Out, Services, Wire<AppSession>, WireIn> | Handler<In, Out, Services, Wire<AppSession>>,
): PikkuFunction<In, Out, 'func', WireIn> {
  return define('func', config)
}

/** A function that runs with or without a session. */
export function pikkuSessionlessFunc<In = any, Out = unknown, WireIn = In>(
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
export function pikkuChannelFunc<In = any, Out = unknown, ChannelData = unknown, WireIn = In>(
  config: Config<In, Out, ChannelServices<ChannelData>, Wire, WireIn> | Handler<In, Out, ChannelServices<ChannelData>, Wire>,
): PikkuFunction<In, Out, 'channel', WireIn> {
  return define('channel', config)
}
