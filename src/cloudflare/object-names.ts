/**
 * How objects are named in the `ChannelObject` namespace. The router, the
 * publisher and the objects themselves must agree, so the names are made here.
 */

/** One channel instance: channel `chat` at `/chat/general` is `chat:/chat/general`. */
export function instanceName(channel: string, path: string): string {
  return `${channel}:${path}`
}

/** The coordinator of a global topic: one per channel and topic declaration. */
export function coordinatorName(channel: string, key: string): string {
  return `$topic:${channel}:${key}`
}
