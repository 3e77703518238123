import { PikkuWebSocket } from '../../../src/client/index'

// Type-checked only (never run): the environment's own WebSocket is a socket PikkuWebSocket adopts.
// pikku-websocket-portable.test.ts checks this file under the DOM's types and under Workers'.

export function adoptGlobalWebSocket(url: string): PikkuWebSocket {
  return new PikkuWebSocket(new WebSocket(url))
}
