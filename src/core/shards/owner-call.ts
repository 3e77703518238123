import type { Limits } from '../limits'
import { Connection, type Socket } from '../runtime/connection'
import type { ChannelHandle, ChannelServices } from '../types'
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

/**
 * The services a function run for another shard's connection gets: the
 * owner's, with `channel.send`, `close` and `setPresence` refused (the socket
 * is elsewhere) and an `eventHub` that publishes (the owner numbers the
 * instance's events) but cannot subscribe the caller.
 */
export function ownerCallServices(services: ChannelServices): ChannelServices {
  const refuse = (what: string) => () => {
    throw elsewhere(what)
  }
  const refuseAsync = (what: string) => async () => {
    throw elsewhere(what)
  }
  const channel: ChannelHandle = { ...services.channel, send: refuse('channel.send'), close: refuse('channel.close'), setPresence: refuse('channel.setPresence') }
  const eventHub = { ...services.eventHub, subscribe: refuseAsync('eventHub.subscribe'), unsubscribe: refuseAsync('eventHub.unsubscribe') } as ChannelServices['eventHub']
  return { ...services, channel, eventHub }
}
