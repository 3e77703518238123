import type { HubStore } from '../../../src/core/event-hub/hub-store'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { resolveLimits } from '../../../src/core/limits'
import type { Logger } from '../../../src/core/logger'
import { Connection, type ConnectionRecord, type Frame, type Socket } from '../../../src/core/runtime/connection'
import { ChannelRuntime } from '../../../src/core/runtime/runtime'
import type { PikkuChannelMiddleware, PikkuFunction } from '../../../src/core/types'
import type { ChannelConfig, ChannelDefinition } from '../../../src/core/wiring/channel-definition'
import { defineChannel } from '../../../src/core/wiring/define-channel'

/** One call to the recording logger. */
export interface LogEntry {
  level: keyof Logger
  message: string
  fields: Record<string, unknown> | undefined
}

/** A logger that keeps every entry for assertions. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = []
  // Pikku's two call shapes, `(message, fields?)` and `(fields)`, as one entry.
  const at =
    (level: keyof Logger) =>
    (first: unknown, ...meta: unknown[]) =>
      void entries.push(
        typeof first === 'string' ? { level, message: first, fields: meta[0] as Record<string, unknown> | undefined } : { level, message: '', fields: first as Record<string, unknown> },
      )
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** A transport that records what the runtime sends, closes and saves. */
export class FakeSocket implements Socket {
  readonly sent: Frame[] = []
  readonly closes: { code: number; reason: string }[] = []
  /** Snapshots of every saved record, oldest first. */
  readonly saved: ConnectionRecord[] = []

  send(frame: Frame): void {
    this.sent.push(frame)
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason })
  }

  save(record: ConnectionRecord): void {
    this.saved.push(structuredClone(record))
  }

  /** Text frames parsed as JSON; binary frames as they were sent. */
  frames(from = 0): unknown[] {
    return this.sent.slice(from).map((frame) => (typeof frame === 'string' ? JSON.parse(frame) : frame))
  }
}

type Config = Partial<ChannelConfig<string, string, unknown, unknown>>

export interface OpenOptions {
  openingData?: unknown
  session?: unknown
  /** Extra singleton services next to the logger. */
  services?: Record<string, unknown>
  /** Functions for `services.rpc` (what `wireRPC` would register). Default: none. */
  functions?: Record<string, PikkuFunction>
  /** The channel's channel middleware as a registry would resolve it. Default: the channel's own. */
  channelMiddleware?: PikkuChannelMiddleware[]
  /** The store under the runtime's EventHub. Default: a fresh `MemoryHubStore`. */
  hubStore?: HubStore
  /** What the shell passes when no services were registered (see `RuntimeOptions.missingService`). */
  missingService?: (key: string) => Error
}

/** A connection record as the object makes it: limits resolved from the channel's settings and the defaults. */
export function connectionRecord(channel: ChannelDefinition, channelId: string, fields: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return { channelId, channel: channel.name, path: '/test', openingData: {}, state: 'initial', limits: resolveLimits(channel.limits), ...fields }
}

/**
 * Defines a channel (named `test` at `/test` unless the config says otherwise)
 * and one connection to it over a `FakeSocket`, not yet connected. Everything
 * the runtime needs is passed to it explicitly, as the Durable Object does.
 */
export function createConnection(config: Config, options: OpenOptions = {}) {
  const channel = defineChannel({ name: 'test', route: '/test', ...config })
  const logger = recordingLogger()
  const runtime = new ChannelRuntime(channel, { ...options.services, logger }, {
    hubStore: options.hubStore ?? new MemoryHubStore(),
    channelMiddleware: options.channelMiddleware ?? channel.channelMiddleware,
    functions: new Map(Object.entries(options.functions ?? {})),
    missingService: options.missingService,
  })
  const socket = new FakeSocket()
  const record = connectionRecord(channel, 'conn-1', { openingData: options.openingData ?? {} })
  if (options.session !== undefined) record.session = options.session
  const conn = new Connection(record, socket)
  return {
    channel,
    runtime,
    conn,
    socket,
    logger,
    /** Sends one text frame (objects are JSON-encoded) and returns the frames it produced. */
    async send(frame: string | object): Promise<unknown[]> {
      const before = socket.sent.length
      await runtime.message(conn, typeof frame === 'string' ? frame : JSON.stringify(frame))
      return socket.frames(before)
    },
    /** Sends one binary frame and returns the frames it produced. */
    async sendBinary(bytes: ArrayBuffer): Promise<unknown[]> {
      const before = socket.sent.length
      await runtime.message(conn, bytes)
      return socket.frames(before)
    },
  }
}

/** {@link createConnection}, then runs `onConnect`. */
export async function openChannel(config: Config, options: OpenOptions = {}) {
  const opened = createConnection(config, options)
  await opened.runtime.connect(opened.conn)
  return opened
}
