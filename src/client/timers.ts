/**
 * Timer handles, whatever the program's types say they are: a number in
 * browsers and Workers, a `Timeout` object in Node. `ReturnType` follows the
 * declarations in scope, so the client compiles under any of them without casts.
 */
export type TimeoutHandle = ReturnType<typeof setTimeout>
export type IntervalHandle = ReturnType<typeof setInterval>

// The clear functions disagree on "no timer": Workers' types take `number | null`,
// the DOM's `number | undefined`. Only a real handle is accepted by all of them,
// so an unset one is skipped here instead of passed on.

export function cancelTimeout(handle: TimeoutHandle | undefined): void {
  if (handle !== undefined) clearTimeout(handle)
}

export function cancelInterval(handle: IntervalHandle | undefined): void {
  if (handle !== undefined) clearInterval(handle)
}
