import type { PresenceMember, PresenceReply } from '../protocol/frames'
import type { ResolvedPresence } from './options'

/**
 * The room of a sharded instance from each shard's own answer: counts added
 * up, members merged by id (one user's connections on two shards are one
 * member). Above `largeRoom`, or when any shard answered with a sample, the
 * members are a sample: the first `sample` of them, the answering shard's first.
 *
 * The count is exact while a member's connections share a shard, which the
 * router sees to for a session set at the upgrade (it places by `userId`); a
 * user who signs in later may be counted once on each shard it is on.
 */
export function mergePresence(own: PresenceReply, others: readonly PresenceReply[], options: ResolvedPresence): PresenceReply {
  const members = new Map<string, PresenceMember>()
  let count = 0
  let sampled = own.sampled === true
  for (const reply of [own, ...others]) {
    count += reply.count
    if (reply.sampled) sampled = true
    for (const member of reply.members) {
      const seen = members.get(member.id)
      if (seen) {
        seen.connections += member.connections
        count--
      } else members.set(member.id, { ...member })
    }
  }
  if (sampled || count > options.largeRoom) return { count, members: [...members.values()].slice(0, options.sample), sampled: true }
  return { count, members: [...members.values()] }
}
