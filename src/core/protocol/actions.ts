/**
 * Built-in actions: names starting with `$`, answered by the runtime itself
 * on every channel. App actions may not start with `$`.
 */
export const BUILT_IN_ACTIONS = ['$ping', '$subscribe', '$unsubscribe', '$presence'] as const

export type BuiltInActionName = (typeof BUILT_IN_ACTIONS)[number]

/** The field that names built-in actions, whatever field the channel routes its own actions on. */
export const BUILT_IN_ROUTING_KEY = 'action'

/** Whether an action name is a built-in one (`$...`), known or not. */
export function isBuiltInName(action: string): boolean {
  // charCodeAt, not startsWith: this runs on every frame.
  return action.charCodeAt(0) === 36 /* $ */
}

/**
 * The field a frame names `action` by: built-in actions are always named by
 * `action`, app actions by the channel's routing key. Server and client both
 * follow this rule.
 */
export function routingFieldFor(action: string, routingKey: string): string {
  return isBuiltInName(action) ? BUILT_IN_ROUTING_KEY : routingKey
}

/** The keepalive frame; the Durable Object answers this exact text without waking (`setWebSocketAutoResponse`). */
export const PING_FRAME = '{"action":"$ping"}'
/** The answer to {@link PING_FRAME}. */
export const PONG_FRAME = '{"type":"pong"}'
