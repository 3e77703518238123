import { DurableObject } from 'cloudflare:workers'

/**
 * The ceiling on this runtime: a Durable Object on the hibernation API with
 * no framework. Echo sends the frame back; a publish (`{"action":"pub"...`)
 * goes to every socket, with no topic filtering.
 */
export class RawObject extends DurableObject {
  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    server.send('{"type":"welcome"}')
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message === 'string' && message.startsWith('{"action":"pub"')) {
      for (const socket of this.ctx.getWebSockets()) socket.send(message)
    } else ws.send(message)
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 || code === 1006 ? 1000 : code)
  }
}

/** Upgrades at /r/:room, each room one RawObject. */
export function fetchRaw(request: Request, env: { RAW: DurableObjectNamespace<RawObject> }): Promise<Response> | Response {
  const room = new URL(request.url).pathname.split('/')[2]
  if (!room || request.headers.get('upgrade') !== 'websocket') return new Response('not found', { status: 404 })
  return env.RAW.getByName(room).fetch(request)
}
