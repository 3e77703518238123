/** Shortens text a client sent before it is echoed: at most `max` characters, the last of them `…` when cut. */
export function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
