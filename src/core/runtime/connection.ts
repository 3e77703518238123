import type { Limits } from '../limits'
import { clampCloseReason } from '../protocol/close'
import type { Opening } from '../protocol/wire-format'
import type { ChannelServices, ChannelState } from '../types'
import type { CallScope } from './call'
import type { TokenBucket } from './token-bucket'

/**
 * Everything one connection needs, in a form that survives hibernation: the
 * Durable Object keeps it in the socket's attachment and rebuilds the
 * connection from it after a wake.
 */
export interface ConnectionRecord {
  channelId: string
  /** Channel name. */
  channel: string
  /** Canonical path of the channel instance, e.g. `/chat/general`. */
  path: string
  openingData: unknown
  session?: unknown
  state: ChannelState
  /** Resolved when the connection opened (the channel's, the router's, the defaults) and kept with it. */
  limits: Limits
  /** Held in the instance's ledger of open connections (see `ConnectionLedger`), so its disconnect must take it out. */
  ledgered?: true
  /** Has stored a subscription at some point, so its disconnect has subscriptions to drop. */
  subscribed?: true
  /** In a channel with presence: the member this connection is (a user, or itself) and what others see of it. */
  member?: { id: string; data: unknown }
  /** Asked `$presence` to be sent its changes. */
  watching?: true
  /** The client's resume token (`$resume`): its requests' answers are kept for a retry from its next connection. */
  resume?: string
  /** When it was last heard from (ms), saved at most every `Liveness.saveSeenEveryMs`: what the liveness check reads after a wake. */
  seenAt?: number
}

/** A frame on the wire. */
export type Frame = string | ArrayBuffer | ArrayBufferView

/** The transport under a connection: a hibernatable WebSocket in the object, a fake in unit tests. */
export interface Socket {
  send(frame: Frame): void
  close(code: number, reason: string): void
  /** Persists the record so a woken object finds it again. */
  save(record: ConnectionRecord): void
}

/**
 * One client connection: its durable record, its socket, and the order of
 * what it is sent (nothing before `welcome`, nothing after close).
 */
export class Connection {
  /** Frames sent while `onConnect` runs; flushed right after `welcome`. */
  #early: Frame[] | undefined
  /** Sends waiting on asynchronous channel middleware; later frames queue behind them. */
  #outbox: Promise<void> | undefined
  #queued = 0
  /** Services and wire for handlers, built once per wake by the runtime. */
  scope: (CallScope & { services: ChannelServices }) | undefined
  /** Set while `onDisconnect` runs, so the event that triggered it can wait for it. */
  disconnecting: Promise<void> | undefined
  /** In memory only: see TokenBucket. */
  bucket: TokenBucket | undefined

  constructor(
    readonly record: ConnectionRecord,
    readonly socket: Socket,
  ) {
    this.#early = record.state === 'initial' ? [] : undefined
  }

  get state(): ChannelState {
    return this.record.state
  }

  send(frame: Frame): void {
    if (this.#outbox) void this.enqueue(() => [frame])
    else this.#write(frame)
  }

  /**
   * Sends what `produce` yields once everything queued before it is sent:
   * frames keep their order even when channel middleware is asynchronous.
   */
  enqueue(produce: () => Frame[] | Promise<Frame[]>): Promise<void> {
    this.#queued++
    const run = async () => {
      try {
        for (const frame of await produce()) this.#write(frame)
      } catch {
        // Producers report their own failures; one lost frame must not stall the queue.
      } finally {
        if (--this.#queued === 0) this.#outbox = undefined
      }
    }
    this.#outbox = (this.#outbox ?? Promise.resolve()).then(run)
    return this.#outbox
  }

  /** Resolves once every queued frame is sent. */
  flushed(): Promise<void> {
    return this.#outbox ?? Promise.resolve()
  }

  /** Whether frames are waiting on asynchronous channel middleware. */
  get queued(): boolean {
    return this.#outbox !== undefined
  }

  #write(frame: Frame): void {
    if (this.record.state === 'closed') return
    if (this.#early) this.#early.push(frame)
    else this.socket.send(frame)
  }

  /** `first` (v1's welcome) goes out first, then whatever `onConnect` sent, then `last` (Pikku mode's onConnect result). */
  open({ first, last }: Opening): void {
    this.record.state = 'open'
    this.socket.save(this.record)
    if (first !== undefined) this.socket.send(first)
    const early = this.#early ?? []
    this.#early = undefined
    for (const frame of early) this.socket.send(frame)
    if (last !== undefined) this.socket.send(last)
  }

  /** Marks the connection closed (durably). Returns the state it was in, or undefined if it was already closed. */
  markClosed(): ChannelState | undefined {
    const previous = this.record.state
    if (previous === 'closed') return undefined
    this.record.state = 'closed'
    this.#early = undefined
    this.socket.save(this.record)
    return previous
  }

  /**
   * Closes from the server side: the closed state is saved before the socket
   * closes, so a woken instance never runs `onDisconnect` again. Returns the
   * state it was in, or undefined if it was already closed (nothing is sent then).
   */
  close(code: number, reason: string): ChannelState | undefined {
    const previous = this.markClosed()
    if (previous) this.socket.close(code, clampCloseReason(reason))
    return previous
  }

  setSession(session: unknown): void {
    if (session === undefined) return this.clearSession()
    const previous = this.record.session
    this.record.session = session
    try {
      this.socket.save(this.record)
    } catch (error) {
      this.record.session = previous
      throw error
    }
  }

  clearSession(): void {
    delete this.record.session
    this.socket.save(this.record)
  }
}
