/**
 * Web stream adapters. Node takes both: `pipeline(createReadStream(path),
 * writer.writable)` and `Readable.fromWeb(reader.readable)`. They live apart
 * from the ends, and see them only by shape, so no end imports another.
 */

/** A `WritableStream` whose backpressure is the writer's own: each chunk waits for credit. */
export function writableOf(end: { write(bytes: Uint8Array): Promise<void>; close(): Promise<void>; abort(reason: string): Promise<void> }): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: (chunk) => end.write(chunk),
    close: () => end.close(),
    abort: (reason) => end.abort(reason instanceof Error ? reason.message : String(reason ?? 'aborted')),
  })
}

/** A `ReadableStream` of the binary chunks, pulled one at a time (each pull acknowledges a frame). */
export function readableOf(chunks: AsyncIterable<Uint8Array>, cancel: (reason: string) => Promise<void>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await iterator.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => cancel(reason instanceof Error ? reason.message : String(reason ?? 'cancelled')),
    },
    { highWaterMark: 0 },
  )
}
