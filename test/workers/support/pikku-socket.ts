import { PikkuClientModel } from '../../core/protocol/pikku-client'
import { request } from './test-socket'

/**
 * Opens a channel through the fixture Worker's router and puts a Pikku-style
 * client on the socket: what Pikku's front ends do with `new PikkuWebSocket(ws)`.
 */
export async function openPikku(path: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; client: PikkuClientModel; closed: Promise<number> }> {
  const response = await request(path, { headers: { Upgrade: 'websocket', ...headers } })
  if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade refused: ${response.status} ${await response.text()}`)
  const ws = response.webSocket
  ws.accept()
  ws.binaryType = 'arraybuffer'
  const client = new PikkuClientModel((text) => ws.send(text))
  ws.addEventListener('message', (event) => client.receive(event.data as string | ArrayBuffer))
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (event) => resolve(event.code)))
  return { ws, client, closed }
}
