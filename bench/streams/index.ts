import { DurableObject } from 'cloudflare:workers'
import { ChannelObject, channels, createStreamChannel, pikkuSessionlessFunc, wireChannel } from 'pikku-durable-channels'

export { ChannelObject }

/**
 * The baseline: a Durable Object relaying binary frames from a writer socket
 * to a reader socket, with no credits, no acks and no storage. The reader
 * must be there first; the writer's close ends the reader. With `?store=1`
 * on the writer it also inserts each frame into SQLite and deletes the one
 * before: what durable buffering costs alone, without anything else of ours.
 */
export class RelayObject extends DurableObject {
  #seq = 0

  override async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams
    const tags = params.get('dir') === 'write' ? ['write', ...(params.get('store') ? ['store'] : [])] : ['read']
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, tags)
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (this.ctx.getTags(ws).includes('store')) {
      const sql = this.ctx.storage.sql
      sql.exec('CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, bytes BLOB)')
      sql.exec('INSERT INTO frames (seq, bytes) VALUES (?, ?)', ++this.#seq, message)
      sql.exec('DELETE FROM frames WHERE seq < ?', this.#seq)
    }
    this.ctx.getWebSockets('read')[0]?.send(message)
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 || code === 1006 ? 1000 : code)
    if (this.ctx.getTags(ws).includes('write')) this.ctx.getWebSockets('read')[0]?.close(1000, 'end')
  }
}

// channels() routes wired channels; the stream route comes with it.
wireChannel({ name: 'noop', route: '/noop', auth: false, onMessageWiring: { noop: { func: pikkuSessionlessFunc(async () => null) } } })

const app = channels()
app.post('/streams', async (c) => {
  const { writerRef, readerRef } = await createStreamChannel(c.env, { bufferFrames: Number(c.req.query('bufferFrames')) })
  return c.json({ writerRef, readerRef })
})
app.all('/relay/:id', (c) => (c.env as { RELAY: DurableObjectNamespace<RelayObject> }).RELAY.getByName(c.req.param('id')).fetch(c.req.raw))

export default app
