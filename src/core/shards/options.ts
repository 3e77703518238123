import { WiringError } from '../errors'

/**
 * The most objects one channel instance may be spread over. Each publish
 * costs the owner one call per other shard, and an object handles on the
 * order of 1,000 calls a second, so past a few dozen shards the owner, not
 * the sockets, is the limit (SCALING.md). 64 × 32,768 sockets is 2 million.
 */
export const MAX_SHARDS = 64

/** Checks `wireChannel`'s `shards`: a whole number from 1 (one object, the default) to `MAX_SHARDS`. */
export function shardsOf(value: unknown, where: string): number {
  if (value === undefined) return 1
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SHARDS) {
    throw new WiringError(`${where}: shards must be a whole number from 1 to ${MAX_SHARDS} (objects one instance is spread over), got ${String(value)}`)
  }
  return value
}
