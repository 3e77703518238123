// One order for everything the CLI sorts, so output never depends on the locale.

/** Code-unit order, the same in every locale. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
