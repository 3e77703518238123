import type { GlobalBridge } from '../../core/event-hub/global-bridge'
import type { PublishResult } from '../../core/types'
import { channelNamespace, coordinatorName, type InstanceAddress, type ObjectIdentity } from '../addressing'
import { shellLog } from '../shell-log'
import type { DeliverToInstance } from './coordinator'
import { Renewals } from './renewals'

/** The RPC surface of `ChannelObject` that global topics use, so this folder need not import the class. */
export interface GlobalTopicsRpc extends Rpc.DurableObjectBranded {
  topicRegister(instance: string, binding: string): Promise<void>
  topicUnregister(instance: string): Promise<void>
  topicFanOut(channel: string, topic: string, data: unknown, skip?: string, from?: InstanceAddress): Promise<{ instances: number }>
  deliverLocal(channel: string, topic: string, data: unknown, skip?: string): Promise<PublishResult>
}

/**
 * How one instance takes part in a channel's global topics: it registers
 * with, leaves, and publishes through each topic's coordinator object, found
 * by name under the binding this instance is reached through. One stub per
 * coordinator is reused, so this instance's calls reach it in the order they
 * were made (an unregister never overtakes the register before it); a stub
 * whose call failed is dropped, so the next call builds a fresh one.
 */
export function globalBridge(channel: string, identity: ObjectIdentity, env: Record<string, unknown>): GlobalBridge {
  const stubs = new Map<string, DurableObjectStub<GlobalTopicsRpc>>()
  const call = async <T>(key: string, binding: string, rpc: (stub: DurableObjectStub<GlobalTopicsRpc>) => Promise<T>): Promise<T> => {
    let stub = stubs.get(key)
    if (!stub) stubs.set(key, (stub = channelNamespace<GlobalTopicsRpc>(env, binding, 'global topics').getByName(coordinatorName(channel, key))))
    try {
      return await rpc(stub)
    } catch (error) {
      stubs.delete(key)
      throw error
    }
  }
  const register = async (key: string) => {
    const { instance, binding } = identity.address()
    await call(key, binding, (stub) => stub.topicRegister(instance, binding))
  }
  const renewals = new Renewals(register, (key, error) => shellLog.warn('channel.global_renew_failed', { channel, key, error }))
  return {
    register,
    renew: (key) => renewals.request(key),
    unregister: async (key) => {
      renewals.cancel(key)
      const { instance, binding } = identity.address()
      await call(key, binding, (stub) => stub.topicUnregister(instance))
    },
    publish: async (key, topic, data, skip, subscribed) => {
      const address = identity.address()
      await call(key, address.binding, (stub) => stub.topicFanOut(channel, topic, data, skip, subscribed ? address : undefined))
    },
  }
}

/**
 * How a coordinator reaches the instances registered with it. Stubs are
 * reused; a stub whose call failed is dropped, so the next call builds a
 * fresh one.
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
