import { WiringError } from '../errors'
import { pikkuWire, type ActionNames } from './pikku-wire'
import { v1Wire } from './v1-wire'
import { WIRE_PROTOCOLS, type WireFormat, type WireProtocol } from './wire-format'

/** A channel's `protocol` setting, checked when it is wired: `'v1'` unless it says `'pikku'`. */
export function wireProtocolOf(value: unknown, where: string): WireProtocol {
  if (value === undefined) return 'v1'
  if (WIRE_PROTOCOLS.includes(value as WireProtocol)) return value as WireProtocol
  throw new WiringError(`${where}: protocol must be ${WIRE_PROTOCOLS.map((name) => `"${name}"`).join(' or ')}, got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`)
}

/** The one place a channel's wire mode is chosen: once, when its runtime is built. */
export function wireFormatFor(protocol: WireProtocol, routingKey: string, actions: ActionNames): WireFormat {
  return protocol === 'pikku' ? pikkuWire(routingKey, actions) : v1Wire(routingKey)
}
