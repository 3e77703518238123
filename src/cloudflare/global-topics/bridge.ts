import type { GlobalBridge } from '../../core/event-hub/global-bridge'
import type { PublishResult } from '../../core/types'
import { channelNamespace, coordinatorName, type ObjectIdentity } from '../addressing'
import type { DeliverToInstance } from './coordinator'

/** The RPC surface of `ChannelObject` that global topics use, so this folder need not import the class. */
export interface GlobalTopicsRpc extends Rpc.DurableObjectBranded {
  topicRegister(instance: string, binding: string): Promise<void>
  topicUnregister(instance: string): Promise<void>
  topicFanOut(channel: string, topic: string, data: unknown, skip?: string): Promise<{ instances: number }>
  deliverLocal(channel: string, topic: string, data: unknown, skip?: string): Promise<PublishResult>
}

/**
 * How one instance takes part in a channel's global topics: it registers
 * with, leaves, and publishes through each topic's coordinator object, found
 * by name under the binding this instance is reached through.
 */
export function globalBridge(channel: string, identity: ObjectIdentity, env: Record<string, unknown>): GlobalBridge {
  const coordinator = (key: string, binding: string) => channelNamespace<GlobalTopicsRpc>(env, binding, 'global topics').getByName(coordinatorName(channel, key))
  return {
    register: async (key) => {
      const { instance, binding } = identity.address()
      await coordinator(key, binding).topicRegister(instance, binding)
    },
    unregister: async (key) => {
      const { instance, binding } = identity.address()
      await coordinator(key, binding).topicUnregister(instance)
    },
    publish: async (key, topic, data, skip) => {
      await coordinator(key, identity.address().binding).topicFanOut(channel, topic, data, skip)
    },
  }
}

/**
 * How a coordinator reaches the instances registered with it. Stubs are
 * reused, so that calls to one instance stay in order; a stub whose call
 * failed is dropped, so the next call builds a fresh one.
 */
export function instanceDelivery(env: Record<string, unknown>): DeliverToInstance {
  const stubs = new Map<string, DurableObjectStub<GlobalTopicsRpc>>()
  return async (instance, binding, channel, topic, data, skip) => {
    let stub = stubs.get(instance)
    if (!stub) stubs.set(instance, (stub = channelNamespace<GlobalTopicsRpc>(env, binding, 'global topics').getByName(instance)))
    try {
      await stub.deliverLocal(channel, topic, data, skip)
    } catch (error) {
      stubs.delete(instance)
      throw error
    }
  }
}
