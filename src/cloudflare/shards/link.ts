import { ChannelError } from '../../core/errors'
import type { ReplayResult } from '../../core/event-hub/replay-log'
import type { ErrorPayload, PresenceReply } from '../../core/protocol/frames'
import type { ShardCaller, ShardEvent, ShardLink } from '../../core/shards/shard-link'
import type { PublishResult } from '../../core/types'
import { channelNamespace, shardName, shardOfName, type InstanceAddress } from '../addressing'
import { shellLog } from '../shell-log'

/** What an owner call answered: the result, the `ChannelError` it threw (RPC keeps an error's message, not its class), or that it failed (logged there). */
export type InvokeOutcome = { result: unknown } | { refused: ErrorPayload } | { failed: string }

/** The RPC surface of `ChannelObject` that shards of one instance call on each other, so this folder need not import the class. */
export interface ShardRpc extends Rpc.DurableObjectBranded {
  shardDeliver(channel: string, event: ShardEvent): Promise<number>
  shardPublish(channel: string, topic: string, data: unknown, skip?: string): Promise<PublishResult>
  shardReplay(channel: string, subscription: string, since: number): Promise<ReplayResult>
  shardHead(channel: string): Promise<number>
  shardPresence(channel: string): Promise<PresenceReply | undefined>
  shardInvoke(channel: string, name: string, data: unknown, caller: ShardCaller): Promise<InvokeOutcome>
  shardTopicRegister(channel: string, key: string, shard: number): Promise<void>
  shardTopicUnregister(channel: string, key: string, shard: number): Promise<void>
}

/** A shard's link, plus what only the shell needs: a global topic's registration, which the owner keeps for the instance. */
export interface CloudflareShardLink extends ShardLink {
  registerOnOwner(key: string): Promise<void>
  unregisterOnOwner(key: string): Promise<void>
}

/**
 * One shard's way to the others of its instance, over Durable Object RPC.
 * Stubs are made once per shard and reused, so the calls to each shard stay
 * in order (the owner's events reach each shard in sequence order); a stub
 * whose call failed is dropped, so the next call builds a fresh one.
 */
export function shardLink(channel: string, count: number, address: () => InstanceAddress, env: Record<string, unknown>): CloudflareShardLink {
  const stubs = new Map<number, DurableObjectStub<ShardRpc>>()
  const { instance, index } = shardOfName(address().instance)
  const stub = (shard: number) => {
    let found = stubs.get(shard)
    if (!found) stubs.set(shard, (found = channelNamespace<ShardRpc>(env, address().binding, 'shards').getByName(shardName(instance, shard))))
    return found
  }
  const call = async <T>(shard: number, run: (stub: DurableObjectStub<ShardRpc>) => Promise<T>): Promise<T> => {
    try {
      return await run(stub(shard))
    } catch (error) {
      stubs.delete(shard)
      throw error
    }
  }
  const others = Array.from({ length: count }, (_, shard) => shard).filter((shard) => shard !== index)
  const owner = <T>(run: (stub: DurableObjectStub<ShardRpc>) => Promise<T>) => call(0, run)

  return {
    index,
    count,
    async deliverToOthers(event) {
      // All at once, each in its own order: a slow or failing shard delays no other.
      const delivered = await Promise.all(
        others.map((shard) =>
          call(shard, (s) => s.shardDeliver(channel, event)).catch((error) => {
            shellLog.error('channel.shard_delivery_failed', { channel, instance, shard, seq: event.seq, error })
            return 0
          }),
        ),
      )
      return delivered.reduce((sum, n) => sum + n, 0)
    },
    publishOnOwner: (topic, data, skip) => owner((s) => s.shardPublish(channel, topic, data, skip)),
    replayOnOwner: (subscription, since) => owner((s) => s.shardReplay(channel, subscription, since)),
    headOnOwner: () => owner((s) => s.shardHead(channel)),
    async presenceOfOthers() {
      const replies = await Promise.all(others.map((shard) => call(shard, (s) => s.shardPresence(channel) as Promise<unknown> as Promise<PresenceReply | undefined>)))
      return replies.filter((reply): reply is PresenceReply => reply !== undefined)
    },
    async invokeOnOwner(name, data, caller) {
      // RPC's types cannot follow `unknown` through a result; the object answers an InvokeOutcome.
      const outcome = await owner((s) => s.shardInvoke(channel, name, data, caller) as Promise<unknown> as Promise<InvokeOutcome>)
      if ('refused' in outcome) throw new ChannelError(outcome.refused.code, outcome.refused.message, outcome.refused.issues)
      if ('failed' in outcome) throw new Error(`rpc.invokeOnOwner("${name}") failed on the owner shard: ${outcome.failed}`)
      return outcome.result
    },
    registerOnOwner: (key) => owner((s) => s.shardTopicRegister(channel, key, index)),
    unregisterOnOwner: (key) => owner((s) => s.shardTopicUnregister(channel, key, index)),
  }
}
