import { createStreamChannel, type StreamRef } from 'pikku-durable-channels'
import type { MessageStore } from './message-store'

/** Messages per binary write: a few KiB each, cut into 64 KiB frames by the writer as needed. */
const BATCH = 200

/**
 * The room's history as a download: a binary stream of JSON lines, opened by
 * a text message saying what follows. `start` makes the stream and returns
 * the reader's ref at once; the writing goes on in this room's object, at the
 * reader's pace (each write waits for credit).
 */
export class HistoryExport {
  constructor(
    private readonly env: object,
    private readonly messages: MessageStore,
  ) {}

  async start(room: string): Promise<StreamRef> {
    const { writer, readerRef } = await createStreamChannel(this.env, { bufferFrames: 16, ttlMs: 60_000 })
    void this.#fill(writer, room).catch((error: unknown) => writer.abort(`export failed: ${(error as Error).message}`).catch(() => undefined))
    return readerRef
  }

  async #fill(writer: Awaited<ReturnType<typeof createStreamChannel>>['writer'], room: string): Promise<void> {
    await writer.sendMessage(JSON.stringify({ format: 'jsonl', room, messages: this.messages.count() }))
    let lines: string[] = []
    for (const message of this.messages.all()) {
      lines.push(JSON.stringify(message))
      if (lines.length === BATCH) {
        await writer.write(`${lines.join('\n')}\n`)
        lines = []
      }
    }
    if (lines.length > 0) await writer.write(`${lines.join('\n')}\n`)
    await writer.close()
  }
}
