import { isPlainObject } from '../wiring/checks'

/**
 * Which shard a connection goes to: a stable hash (32-bit FNV-1a) of its
 * placement key, so the same key always lands on the same shard while the
 * channel's shard count stays the same.
 */
export function shardOf(key: string, shards: number): number {
  if (shards <= 1) return 0
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % shards
}

/**
 * What places a connection: the upgrade session's `userId` (so one user's
 * tabs share a shard and presence counts them once), else the client's
 * resume token (so a reconnect finds its kept answers), else nothing: the
 * router then draws a random key.
 */
export function placementKey(session: unknown, resume: string | undefined): string | undefined {
  const userId = isPlainObject(session) ? session.userId : undefined
  if (typeof userId === 'string' || typeof userId === 'number') return `user:${userId}`
  return resume === undefined ? undefined : `resume:${resume}`
}
