import type { Connection } from '../core/runtime/connection'
import type { ChannelRuntime } from '../core/runtime/runtime'

/** A socket the object holds, with its connection and its channel's runtime. */
export interface HeldSocket {
  ws: WebSocket
  conn: Connection
  runtime: ChannelRuntime
}

/**
 * The liveness alarm of a channel instance's object: set after a connect while
 * there are connections (a storage read at most once per wake), and at each
 * run it closes every socket silent past its channel's limit (see
 * `ChannelRuntime.closeSilent`). The platform's keepalive answers carry their
 * time (`getWebSocketAutoResponseTimestamp`), messages theirs in the attachment.
 * It is set again only while a connection with liveness remains.
 */
export class LivenessAlarm {
  /** Whether the alarm is known to be set, this wake. */
  #armed = false

  constructor(private readonly ctx: DurableObjectState) {}

  async arm(runtime: ChannelRuntime): Promise<void> {
    const liveness = runtime.channel.liveness
    if (!liveness || this.#armed) return
    this.#armed = true
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + liveness.checkEveryMs)
  }

  async run(held: Iterable<HeldSocket>): Promise<void> {
    this.#armed = false
    const byRuntime = new Map<ChannelRuntime, { conn: Connection; autoResponseAt: number | undefined }[]>()
    for (const { ws, conn, runtime } of held) {
      if (conn.state === 'closed' || !runtime.channel.liveness) continue
      const entries = byRuntime.get(runtime) ?? []
      entries.push({ conn, autoResponseAt: this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() })
      byRuntime.set(runtime, entries)
    }
    let next: number | undefined
    for (const [runtime, entries] of byRuntime) {
      if ((await runtime.closeSilent(entries, Date.now())) > 0) next = Math.min(next ?? Infinity, runtime.channel.liveness!.checkEveryMs)
    }
    if (next !== undefined) {
      this.#armed = true
      await this.ctx.storage.setAlarm(Date.now() + next)
    }
  }
}
