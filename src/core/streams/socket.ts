/** What an end needs of a WebSocket: the standard API (browsers, Node 22, `ws`) and Workers' sockets fit. */
export interface StreamSocket {
  binaryType: string
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
}

/**
 * Opens one end of a stream: resolves with an open socket, rejects with a
 * `StreamError` for a refusal retrying cannot change (403, 404, 409, 410, 400),
 * or with any other error for a failure worth retrying. `from` is a reader's
 * count of frames already received.
 */
export type StreamConnect = (from?: number) => Promise<StreamSocket>

/** A frame's data as bytes, whatever the socket delivered it as. */
export function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('A binary frame arrived as neither an ArrayBuffer nor a view: set binaryType to "arraybuffer"')
}

/**
 * The socket, holding the messages that arrive before anyone listens. The
 * broker sends its first frame (a writer's credit, a late reader's frames)
 * the moment it accepts, and `ws` delivers it in the same tick as `open`,
 * before the end that awaited the opening has added its listener (a chain
 * of promises later). Held messages go, in order, to every listener added
 * before the next task; later ones come straight through.
 */
export function holdingMessages(socket: StreamSocket): StreamSocket {
  const held: { data: unknown }[] = []
  const listeners: ((event: { data: unknown }) => void)[] = []
  const closeListeners: ((event: { code: number; reason: string }) => void)[] = []
  let closed: { code: number; reason: string } | undefined
  let holding = true
  socket.addEventListener('message', (event) => {
    if (holding) held.push(event)
    else for (const listener of listeners) listener(event)
  })
  // A close is held too, so it never overtakes the messages before it.
  socket.addEventListener('close', (event) => {
    if (holding) closed = event
    else for (const listener of closeListeners) listener(event)
  })
  return {
    get binaryType() {
      return socket.binaryType
    },
    set binaryType(value: string) {
      socket.binaryType = value
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    addEventListener(type: 'message' | 'close', listener: (event: any) => void) {
      if (type === 'close') return void closeListeners.push(listener)
      if (listeners.push(listener) > 1) return
      // A task, not a microtask: the promise chain that adds the end's listeners must run first.
      setTimeout(() => {
        holding = false
        for (const event of held.splice(0)) for (const each of listeners) each(event)
        if (closed) for (const each of closeListeners) each(closed)
      }, 0)
    },
  }
}
