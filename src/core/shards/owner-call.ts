import type { Limits } from '../limits'
import { Connection, type Socket } from '../runtime/connection'
import type { EventHubService } from '../types'
import type { ShardCaller } from './shard-link'

const elsewhere = (what: string) =>
  new Error(`${what} is not available in a function run on the owner shard (services.rpc.invokeOnOwner): the caller's socket is on another shard; return what it needs instead`)

/** The caller's socket is on another shard: nothing can be sent to it or saved in its attachment from here. */
const ELSEWHERE_SOCKET: Socket = {
  send: () => {
    throw elsewhere('channel.send')
  },
  close: () => {
    throw elsewhere('channel.close')
  },
  save: () => {
    throw elsewhere('Changing the session')
  },
}

/** A stand-in for a connection on another shard, for a function the owner runs on its behalf: its id, opening data and session. */
export function ownerCallConnection(channel: string, caller: ShardCaller, limits: Limits): Connection {
  const record = { channelId: caller.channelId, channel, path: '', openingData: caller.openingData, state: 'open' as const, limits, ...(caller.session === undefined ? {} : { session: caller.session }) }
  return new Connection(record, ELSEWHERE_SOCKET)
}

/** `services.eventHub` there: publishing works (the owner numbers the instance's events), subscribing the caller cannot. */
export function publishOnly(eventHub: EventHubService<Record<string, unknown>>): EventHubService<Record<string, unknown>> {
  const refuse = async () => {
    throw elsewhere('eventHub.subscribe and unsubscribe')
  }
  return { ...eventHub, publish: eventHub.publish, subscribe: refuse, unsubscribe: refuse } as EventHubService<Record<string, unknown>>
}
