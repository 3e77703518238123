import { fakeWebSocket, type FakeSocket } from './fake-websocket'

/** The standard's readyState values, spelled out for the tests. */
export const CONNECTING = 0
export const OPEN = 1
export const CLOSING = 2
export const CLOSED = 3

/**
 * A socket the app created itself before handing it to a client, as in
 * `new PikkuWebSocket(new WebSocket(url))`. It reports the given `readyState`,
 * which `FakeSocket` does not model (the sockets clients open themselves are
 * never asked): the client reads it only when it adopts a socket. It comes from
 * `fake`'s class, so it is `fake.sockets[0]`, and reconnects made with its
 * `constructor` land in `fake.sockets` after it.
 */
export function appSocket(fake: ReturnType<typeof fakeWebSocket>, url: string, readyState: number): FakeSocket & { readyState: number } {
  return Object.assign(new fake.WebSocket(url), { readyState })
}
