import type { ConnectionRecord, Frame, Socket } from '../core/runtime/connection'

/** Attachments are capped by the platform; sessions share this budget with opening data. */
const ATTACHMENT_LIMIT_BYTES = 16 * 1024

const ATTACHMENT_VERSION = 1

type Attachment = ConnectionRecord & { v: typeof ATTACHMENT_VERSION }

/** The core's `Socket` over a WebSocket accepted with `ctx.acceptWebSocket`. */
export class HibernatableSocket implements Socket {
  constructor(readonly ws: WebSocket) {}

  send(frame: Frame): void {
    this.ws.send(frame as string | ArrayBuffer)
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason)
    } catch {
      // Already closed by the peer: nothing left to say.
    }
  }

  save(record: ConnectionRecord): void {
    const attachment: Attachment = { ...record, v: ATTACHMENT_VERSION }
    try {
      this.ws.serializeAttachment(attachment)
    } catch (error) {
      // A closed socket keeps no attachment worth saving; anything else is a real problem.
      if (this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING) return
      throw new Error(
        `Connection state for ${record.channelId} could not be saved: a connection's session and opening data must fit in ${ATTACHMENT_LIMIT_BYTES} bytes of structured-clonable data (${(error as Error).message})`,
      )
    }
  }

  /** The record saved with this socket, or undefined if it is not one of ours. */
  static read(ws: WebSocket): ConnectionRecord | undefined {
    const attachment = ws.deserializeAttachment() as Partial<Attachment> | null
    if (!attachment || attachment.v !== ATTACHMENT_VERSION) return undefined
    const { v: _version, ...record } = attachment
    return record as ConnectionRecord
  }
}
