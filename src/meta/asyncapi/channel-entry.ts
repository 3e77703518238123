import type { ChannelMeta } from '../describe'
import type { JsonValue } from '../json-schema'
import { isObject } from './components'

/** `/chat/:room` -> `/chat/{room}`. */
export function toAddress(route: string): string {
  return route.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')
}

/** The `channels.<id>` entry: where a client connects, how, and the messages the channel carries. */
export function channelEntry(channel: ChannelMeta, messages: { [id: string]: JsonValue }, base = ''): JsonValue {
  return {
    // Mounted, a channel at `/` answers at the mount path itself (Hono joins `/ws` and `/` as `/ws`).
    address: toAddress(base !== '' && channel.route === '/' ? base : base + channel.route),
    title: channel.name,
    description: channelDescription(channel, base),
    // AsyncAPI requires a parameter for every `{name}` of the address, and no other.
    ...(channel.params.length > 0 ? { parameters: Object.fromEntries(channel.params.map((param) => [param, { description: `Path parameter ":${param}" of ${channel.route}; part of the opening data.` }])) } : {}),
    messages,
    bindings: { ws: wsBinding(channel) },
  }
}

function channelDescription(channel: ChannelMeta, base: string): string {
  const lines = [`Channel "${channel.name}", wired at ${channel.route}${base ? ` and served under ${base}` : ''}: one instance (Durable Object) per filled-in route.`]
  lines.push(channel.auth ? 'Messages need a session unless an action says otherwise.' : 'Messages need no session unless an action says otherwise.')
  if (channel.routingKey !== 'action') lines.push(`Actions are named by the "${channel.routingKey}" field; built-in $ actions always by "action".`)
  // The messages below describe protocol v1's envelopes; a Pikku-mode channel frames the same payloads its own way.
  if (channel.protocol === 'pikku') lines.push('It speaks Pikku wire mode (PROTOCOL.md, "Pikku wire mode"): flat results echoing the routing key, bare event payloads, no request ids; the payload schemas below hold, the envelopes are v1\'s.')
  return lines.join(' ')
}

/**
 * The WebSocket binding: a GET upgrade, and the opening data's query values
 * when its schema is a plain object. A schema with `$ref`s is left out: the
 * binding is a copy, and its references would point at nothing.
 */
function wsBinding(channel: ChannelMeta): JsonValue {
  const binding: Record<string, JsonValue> = { method: 'GET', bindingVersion: '0.1.0' }
  const opening = channel.openingData
  if (opening && opening.type === 'object' && isObject(opening.properties) && !hasRefs(opening)) {
    const properties = Object.fromEntries(Object.entries(opening.properties).filter(([key]) => !channel.params.includes(key)))
    if (Object.keys(properties).length > 0) {
      const required = Array.isArray(opening.required) ? opening.required.filter((key) => typeof key === 'string' && Object.hasOwn(properties, key)) : []
      binding.query = { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
    }
  }
  return binding
}

function hasRefs(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some(hasRefs)
  if (!isObject(value)) return false
  return Object.entries(value).some(([key, item]) => key === '$ref' || key === '$defs' || key === 'definitions' || hasRefs(item))
}
