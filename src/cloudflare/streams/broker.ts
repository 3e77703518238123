import { clampCloseReason, CloseCode, closeReplyFor, StreamCloseCode } from '../../core/protocol/close'
import { parseOpening, type StreamOpening } from '../../core/streams/address'
import {
  ackOutcome,
  creditFor,
  expiryReason,
  frameViolation,
  held,
  isOver,
  openingRefusal,
  readToEnd,
  type StreamRecord,
} from '../../core/streams/broker-rules'
import { encodeCredit, parseAck } from '../../core/streams/frames'
import type { StreamDirection } from '../../core/streams/ref'
import { toIssues } from '../../core/schema'
import { handshakeError } from '../handshake'
import { isProbe } from '../probe'
import { SqlStreamStore, type StoredFrame } from './sql-stream-store'

/** What `createStreamChannel` asks a broker to hold. */
export interface StreamSpec {
  writerKey: string
  readerKey: string
  bufferFrames: number
  ttlMs: number
}

/** A broker's account of its stream (the `streamStatus` RPC): what it holds, by its own count. */
export interface StreamStatus {
  phase: StreamRecord['phase']
  reason: string
  written: number
  acked: number
  /** Frames in storage now. */
  held: number
  /** The most frames ever held at once. */
  maxHeld: number
  bufferFrames: number
  writerOpen: boolean
  readerOpen: boolean
}

/** Tags are fixed when a socket is accepted: each says which end the socket is, and finds it again after a wake. */
const TAG: Record<StreamDirection, string> = { write: '$stream:write', read: '$stream:read' }

/**
 * The broker of one stream, a role of `ChannelObject` on the object named
 * `$stream:<id>`. It holds the stream's record and unacknowledged frames in
 * SQLite and its two sockets with the hibernation API, so nothing lives only
 * in memory; an alarm expires it. Each event: read the record, ask the
 * rules (core/streams/broker-rules.ts), store, then send.
 */
export class StreamBroker {
  #store: SqlStreamStore | undefined

  constructor(private readonly ctx: DurableObjectState) {}

  /** Makes the stream; the first alarm is its TTL. */
  async create(spec: StreamSpec): Promise<void> {
    if (this.#sql().record()) throw new Error('This stream already exists')
    const now = Date.now()
    this.#sql().save({ ...spec, phase: 'open', reason: '', written: 0, acked: 0, maxHeld: 0, activeAt: now, writerSeen: false, readerSeen: false })
    await this.ctx.storage.setAlarm(now + spec.ttlMs)
  }

  status(): StreamStatus | undefined {
    const record = this.#sql().record()
    if (!record) return undefined
    const { phase, reason, written, acked, maxHeld, bufferFrames } = record
    const heldNow = this.#sql().heldCount()
    return { phase, reason, written, acked, held: heldNow, maxHeld: Math.max(maxHeld, heldNow), bufferFrames, writerOpen: !!this.#socket('write'), readerOpen: !!this.#socket('read') }
  }

  /** An opening (or a probe of one): refused before the upgrade, or accepted and primed. */
  fetch(request: Request): Response {
    const url = new URL(request.url)
    const parsed = parseOpening(url.pathname.split('/').pop(), Object.fromEntries(url.searchParams))
    if ('issues' in parsed) return handshakeError('INVALID_INPUT', `Broken stream ref: ${parsed.issues[0]?.message}`, { issues: toIssues(parsed.issues) })
    const { opening } = parsed
    const record = this.#sql().record()
    const refusal = openingRefusal(record, opening, this.#socket(opening.direction) !== undefined)
    if (refusal) return handshakeError(refusal.code, refusal.message)
    if (isProbe(request)) return new Response(null, { status: 204 })
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return handshakeError('UPGRADE_REQUIRED', 'A stream end is a WebSocket: connect with a GET and "Upgrade: websocket"', { headers: { Upgrade: 'websocket' } })
    }
    return this.#accept(record!, opening)
  }

  message(ws: WebSocket, message: string | ArrayBuffer): void {
    const record = this.#sql().record()
    if (!record) return closeSocket(ws, CloseCode.INTERNAL, 'This stream no longer exists')
    if (this.#directionOf(ws) === 'write') this.#fromWriter(record, message)
    else this.#fromReader(ws, record, message)
  }

  /**
   * A socket closed. Only the writer's 1000 (or a close without a code)
   * ends the stream, and only its 4901 aborts it: a drop (1006, 1001, any
   * other code) leaves it open for the end to reconnect. The end is stored
   * before the close is echoed, so the echo is the writer's confirmation.
   */
  close(ws: WebSocket, code: number, reason: string): void {
    const record = this.#sql().record()
    const direction = this.#directionOf(ws)
    if (record && !isOver(record)) {
      if (direction === 'write' && record.phase === 'open' && (code === CloseCode.NORMAL || code === CloseCode.NO_STATUS)) {
        const ended: StreamRecord = { ...record, phase: 'ended', activeAt: Date.now() }
        this.#sql().save(ended)
        closeSocket(ws, CloseCode.NORMAL, 'end')
        // Done only once a reader is told; a late reader finishes it on arrival.
        if (readToEnd(ended) && this.#socket('read')) this.#finish(ended)
        return
      }
      if (code === StreamCloseCode.ABORTED) {
        this.#abort(record, direction === 'write' ? reason || 'aborted by the writer' : `cancelled by the reader${reason ? `: ${reason}` : ''}`)
        return closeSocket(ws, StreamCloseCode.ABORTED, reason)
      }
    }
    const answer = closeReplyFor(code)
    if (answer !== undefined) closeSocket(ws, answer, reason)
  }

  /** Expires a stream past its TTL, re-arms one that is not due, and deletes a finished one once its retention passed. */
  async alarm(): Promise<void> {
    const record = this.#sql().record()
    if (!record) return
    if (isOver(record)) {
      // Kept a TTL after it finished, so late openers learn why (410) rather than 404; now it goes.
      await this.ctx.storage.deleteAll()
      this.#store = undefined
      return
    }
    const now = Date.now()
    const reason = expiryReason(record, now)
    if (!reason) return this.ctx.storage.setAlarm(record.activeAt + record.ttlMs)
    this.#sql().deleteFrames()
    this.#sql().save({ ...record, phase: 'expired', reason }, true)
    for (const direction of ['write', 'read'] as const) closeSocket(this.#socket(direction), StreamCloseCode.EXPIRED, reason)
    await this.ctx.storage.setAlarm(now + record.ttlMs)
  }

  #accept(record: StreamRecord, opening: StreamOpening): Response {
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [TAG[opening.direction]])
    const opened: StreamRecord = { ...record, activeAt: Date.now(), ...(opening.direction === 'write' ? { writerSeen: true } : { readerSeen: true }) }
    this.#sql().save(opened)
    if (opening.direction === 'write') server.send(encodeCredit(creditFor(opened)))
    else {
      // Everything not acknowledged (or, for a reader that says what it has, everything after that).
      for (const frame of this.#sql().framesAfter(opening.from ?? opened.acked)) server.send(frame)
      if (readToEnd(opened)) this.#finish(opened)
    }
    return new Response(null, { status: 101, webSocket: client })
  }

  #fromWriter(record: StreamRecord, frame: StoredFrame): void {
    // After an abort or expiry the writer's socket is closing; what it still sends is dropped.
    if (record.phase !== 'open') return
    const violation = frameViolation(record, frame)
    if (violation) return this.#abort(record, violation.reason, violation.code)
    // One write per frame, its own row: the record's count follows from it (see SqlStreamStore).
    this.#sql().append(record.written + 1, frame)
    this.#socket('read')?.send(frame)
  }

  #fromReader(ws: WebSocket, record: StreamRecord, message: StoredFrame): void {
    const outcome = ackOutcome(record, typeof message === 'string' ? parseAck(message) : undefined)
    if (typeof outcome === 'object') return closeSocket(ws, outcome.code, outcome.reason)
    if (outcome === 'stale' || isOver(record)) return
    const acked = parseAck(message as string)!
    this.#sql().deleteUpTo(acked)
    // What was held just before an ack is the most it held since the last one.
    const next: StreamRecord = { ...record, acked, maxHeld: Math.max(record.maxHeld, held(record)), activeAt: Date.now() }
    this.#sql().save(next)
    if (next.phase === 'open') this.#socket('write')?.send(encodeCredit(creditFor(next)))
    if (readToEnd(next)) this.#finish(next)
  }

  /** The reader has every frame of an ended stream: tell it so, and keep the record a TTL for late openers. */
  #finish(record: StreamRecord): void {
    this.#sql().save({ ...record, phase: 'done' })
    closeSocket(this.#socket('read'), CloseCode.NORMAL, 'end')
    void this.ctx.storage.setAlarm(Date.now() + record.ttlMs)
  }

  /** Discards the frames and tells both ends why; the writer's socket gets `writerCode` (a violation's own code). */
  #abort(record: StreamRecord, reason: string, writerCode: number = StreamCloseCode.ABORTED): void {
    this.#sql().deleteFrames()
    this.#sql().save({ ...record, phase: 'aborted', reason }, true)
    closeSocket(this.#socket('write'), writerCode, reason)
    closeSocket(this.#socket('read'), StreamCloseCode.ABORTED, reason)
    void this.ctx.storage.setAlarm(Date.now() + record.ttlMs)
  }

  /** The live socket of one end, if any. */
  #socket(direction: StreamDirection): WebSocket | undefined {
    return this.ctx.getWebSockets(TAG[direction]).find((ws) => ws.readyState === WebSocket.OPEN)
  }

  #directionOf(ws: WebSocket): StreamDirection {
    return this.ctx.getTags(ws).includes(TAG.write) ? 'write' : 'read'
  }

  #sql(): SqlStreamStore {
    return (this.#store ??= new SqlStreamStore(this.ctx.storage.sql))
  }
}

/** Closes a socket, or completes its closing handshake (the hibernation API leaves that to us); it may already be gone. */
function closeSocket(ws: WebSocket | undefined, code: number, reason: string): void {
  try {
    ws?.close(code, clampCloseReason(reason))
  } catch {
    // Already closed.
  }
}
