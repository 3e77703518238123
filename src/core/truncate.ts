/** Shortens text a client sent before it is echoed in an error message. */
export function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
