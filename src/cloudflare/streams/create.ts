import { resolveStreamOptions, type StreamOptions } from '../../core/streams/limits'
import { isStreamRef, newAccessKey, newStreamId, type StreamRef } from '../../core/streams/ref'
import { StreamReader } from '../../core/streams/reader'
import { StreamWriter } from '../../core/streams/writer'
import { channelNamespace, DEFAULT_BINDING, streamName } from '../addressing'
import type { StreamSpec } from './broker'
import { stubConnect } from './stub-connect'

export interface StreamChannelOptions extends StreamOptions {
  /** The `ChannelObject` binding, as given to `channels({ binding })`. Default `CHANNELS`. */
  binding?: string
}

/** A new stream: both live ends, and the refs that open them from anywhere (send a ref in any payload). */
export interface StreamChannel {
  writer: StreamWriter
  reader: StreamReader
  writerRef: StreamRef
  readerRef: StreamRef
}

/** What the broker's stub offers (ChannelObject's stream RPCs), by shape so this file need not import the object. */
interface BrokerStub extends DurableObjectStub {
  streamCreate(spec: StreamSpec): Promise<void>
}

/**
 * Makes a binary stream brokered by a `ChannelObject` (the object named
 * `$stream:<id>` in the same namespace: no new binding or migration). Works
 * wherever `env` is at hand: a Worker's `fetch`, a queue or cron handler, a
 * services factory. The live ends connect on first use, so returning only a
 * ref opens nothing here.
 */
export async function createStreamChannel(env: object, options: StreamChannelOptions = {}): Promise<StreamChannel> {
  const { bufferFrames, ttlMs } = resolveStreamOptions(options)
  const namespace = channelNamespace(env as Record<string, unknown>, options.binding ?? DEFAULT_BINDING, 'createStreamChannel')
  const channel_id = newStreamId()
  const writerRef: StreamRef = { channel_id, access_key: newAccessKey(), direction: 'write' }
  const readerRef: StreamRef = { channel_id, access_key: newAccessKey(), direction: 'read' }
  const stub = namespace.getByName(streamName(channel_id)) as BrokerStub
  await stub.streamCreate({ writerKey: writerRef.access_key, readerKey: readerRef.access_key, bufferFrames, ttlMs })
  return { writer: new StreamWriter(stubConnect(stub, writerRef)), reader: new StreamReader(stubConnect(stub, readerRef)), writerRef, readerRef }
}

/** The live writer a write ref opens, from inside Cloudflare (for a browser or Node, `openWriter` from the client). */
export function openStreamWriter(env: object, ref: StreamRef, options: { binding?: string } = {}): StreamWriter {
  return new StreamWriter(stubConnect(brokerOf(env, ref, 'write', options.binding), ref))
}

/** The live reader a read ref opens, from inside Cloudflare (for a browser or Node, `openReader` from the client). */
export function openStreamReader(env: object, ref: StreamRef, options: { binding?: string } = {}): StreamReader {
  return new StreamReader(stubConnect(brokerOf(env, ref, 'read', options.binding), ref))
}

function brokerOf(env: object, ref: StreamRef, direction: StreamRef['direction'], binding = DEFAULT_BINDING): DurableObjectStub {
  if (!isStreamRef(ref)) throw new TypeError('Not a stream ref: expected { channel_id, access_key, direction } as createStreamChannel made it')
  if (ref.direction !== direction) throw new TypeError(`That is a ${ref.direction} ref; this end needs a ${direction} ref`)
  return channelNamespace(env as Record<string, unknown>, binding, 'createStreamChannel').getByName(streamName(ref.channel_id))
}
