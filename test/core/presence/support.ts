import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import type { PresenceFrame } from '../../../src/core/protocol/frames'
import { Connection, type ConnectionRecord } from '../../../src/core/runtime/connection'
import { MemoryConnectionLedger } from '../../../src/core/runtime/connection-ledger'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import type { ChannelConfig } from '../../../src/core/wiring/channel-definition'
import { defineChannel } from '../../../src/core/wiring/define-channel'
import { connectionRecord, FakeSocket, recordingLogger } from '../support/harness'

type Config = Partial<ChannelConfig<string, string, unknown, unknown>>

/**
 * One channel instance as a host that hibernates holds it: its sockets (each
 * with the record it last saved, as an attachment), a list of them for the
 * runtime, and `wake()`, which drops everything in memory and rebuilds the
 * connections from the saved records alone.
 */
export function presenceHost(config: Config) {
  const channel = defineChannel({ name: 'room', route: '/room', auth: false, ...config })
  const hubStore = new MemoryHubStore()
  const ledger = new MemoryConnectionLedger()
  const sockets = new Map<string, FakeSocket>()
  let conns = new Map<string, Connection>()
  const start = () =>
    new ChannelRuntime(channel, { logger: recordingLogger() }, { hubStore, ledger, channelMiddleware: [], functions: new Map(), listConnections: () => conns.values(), findConnection: (id) => conns.get(id) })
  let runtime = start()
  let next = 0

  const host = {
    channel,
    get runtime() {
      return runtime
    },
    sockets,
    /** Opens a connection (with a session, if given) and returns its id. */
    async open(session?: unknown, fields: Partial<ConnectionRecord> = {}): Promise<string> {
      const channelId = `c${++next}`
      const record = connectionRecord(channel, channelId, fields)
      if (session !== undefined) record.session = session
      const socket = new FakeSocket()
      const conn = new Connection(record, socket)
      sockets.set(channelId, socket)
      conns.set(channelId, conn)
      await runtime.connect(conn)
      return channelId
    },
    conn(channelId: string): Connection {
      return conns.get(channelId)!
    },
    /** The peer closes. */
    async close(channelId: string): Promise<void> {
      await runtime.closed(conns.get(channelId)!)
      conns.delete(channelId)
    },
    /** Sends a frame and returns the reply's data (or the error). */
    async ask(channelId: string, frame: object): Promise<any> {
      const socket = sockets.get(channelId)!
      const before = socket.sent.length
      await runtime.message(conns.get(channelId)!, JSON.stringify({ id: 1, ...frame }))
      const answer = socket.frames(before).find((f: any) => f.type === 'reply' || f.type === 'error') as any
      return answer?.type === 'reply' ? answer.data : answer
    },
    /** Presence frames a connection was sent, from the `from`th frame it was sent. */
    presence(channelId: string, from = 0): PresenceFrame[] {
      return sockets.get(channelId)!.frames(from).filter((f: any) => f.type === 'presence') as PresenceFrame[]
    },
    sent(channelId: string): number {
      return sockets.get(channelId)!.sent.length
    },
    /** Hibernation: memory is gone; each open socket's connection is rebuilt from its last saved record. */
    wake(): void {
      const survivors = new Map<string, Connection>()
      for (const [channelId, conn] of conns) {
        const socket = sockets.get(channelId)!
        const saved = socket.saved.at(-1)
        if (saved && conn.state !== 'closed') survivors.set(channelId, new Connection(structuredClone(saved), socket))
      }
      conns = survivors
      runtime = start()
    },
    /** A crash: every socket is gone without a close; the next wake reconciles the ledger. */
    async crash(): Promise<number> {
      conns = new Map()
      runtime = start()
      return runtime.reconcile((id) => conns.has(id))
    },
  }
  return host
}
