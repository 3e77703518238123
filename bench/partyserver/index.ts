import { routePartykitRequest, Server, type Connection } from 'partyserver'

/** The same echo and broadcast, written the way PartyServer's README shows, with hibernation on. */
export class PartyBench extends Server {
  static override options = { hibernate: true }

  override onConnect(connection: Connection): void {
    connection.send('{"type":"welcome"}')
  }

  override onMessage(connection: Connection, message: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof message === 'string' && message.startsWith('{"action":"pub"')) this.broadcast(message)
    else connection.send(message)
  }
}

/** Upgrades at /parties/party-bench/:room, PartyServer's own routing. */
export async function fetchParty(request: Request, env: Record<string, unknown>): Promise<Response> {
  return (await routePartykitRequest(request, env)) ?? new Response('not found', { status: 404 })
}
