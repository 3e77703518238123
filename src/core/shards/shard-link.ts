import type { ReplayResult } from '../event-hub/replay-log'
import type { PresenceReply } from '../protocol/frames'
import type { PublishResult } from '../types'

/** An event the owner numbered, on its way to the other shards: its payload encoded once, as JSON text or bytes. */
export interface ShardEvent {
  topic: string
  seq: number
  payload: string | Uint8Array
  /** A connection not to deliver to (the sender), on whichever shard holds it. */
  skip: string | undefined
}

/** Who called a function on the owner from another shard: what its scope there is built from. */
export interface ShardCaller {
  channelId: string
  openingData: unknown
  session: unknown
}

/**
 * How one shard of a channel instance reaches the others (the host's
 * calls, in order per shard). Shard 0 is the owner: it numbers every event
 * of the instance, keeps the replay log, and runs `invokeOnOwner` calls
 * against its own storage. Every other shard sends its publishes there and
 * delivers what the owner sends it, with the owner's sequence numbers.
 */
export interface ShardLink {
  /** This object's shard: 0 is the owner. */
  readonly index: number
  /** Objects the instance is spread over. */
  readonly count: number
  /** Owner: an event it numbered goes to every other shard; resolves with how many connections there got it. */
  deliverToOthers(event: ShardEvent): Promise<number>
  /** Other shards: a publish, already validated here, numbered and fanned out by the owner. */
  publishOnOwner(topic: string, data: unknown, skip: string | undefined): Promise<PublishResult>
  /** Other shards: the owner's replay log. */
  replayOnOwner(subscription: string, since: number): Promise<ReplayResult>
  /** Other shards: the owner's newest sequence number. */
  headOnOwner(): Promise<number>
  /** Any shard: each other shard's own members, as `$presence` would answer there. */
  presenceOfOthers(): Promise<PresenceReply[]>
  /** Other shards: a `wireRPC` function run on the owner, with the owner's services. */
  invokeOnOwner(name: string, data: unknown, caller: ShardCaller): Promise<unknown>
}
