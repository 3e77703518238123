import type { PresenceFrame, PresenceInput, PresenceMember, PresenceReply } from '../core/protocol/frames'
import type { ChannelClientError } from './client-error'
import type { Requests } from './requests'
import type { ConnectionState } from './types'

/** One member as the client shows it, with the channel's presence data type. */
export interface Member<Data = unknown> extends PresenceMember {
  data: Data
}

/** Who is here, as this client last heard. */
export interface PresenceView<Data = unknown> {
  /** Members here now. */
  count: number
  /** Every member, or in a large room (`sampled`) the server's sample. */
  members: Member<Data>[]
  /** The room is above the channel's `largeRoom` threshold: `members` is a sample, and no joins or leaves are told. */
  sampled: boolean
}

/** What changed, as the listener's second argument: also computed for a fresh list (after a reconnect, or a new sample). */
export interface PresenceChange<Data = unknown> {
  joins: Member<Data>[]
  updates: Member<Data>[]
  /** Ids of members who left. */
  leaves: string[]
}

type Listener = (view: PresenceView<any>, change: PresenceChange<any>) => void
type ErrorListener = (error: ChannelClientError) => void

/**
 * The client's side of `$presence`: the view of who is here, kept current from
 * `presence` frames while anyone listens. Watching outlives connections: after
 * every welcome it asks again, and the answer replaces the view (listeners get
 * the difference, so a reconnect reads as the joins and leaves it missed).
 */
export class Presence {
  /** Each listener, with what hears a refused `$presence` for it. */
  readonly #listeners = new Map<Listener, ErrorListener>()
  readonly #requests: Requests
  readonly #state: () => ConnectionState
  #members = new Map<string, Member>()
  #count = 0
  #sampled = false
  /** Frames that came while an answer was on its way: they are about what follows it, so they wait for it (in order). */
  #held: PresenceFrame[] = []
  #asking = 0

  constructor(requests: Requests, state: () => ConnectionState) {
    this.#requests = requests
    this.#state = state
  }

  get view(): PresenceView {
    return { count: this.#count, members: [...this.#members.values()], sampled: this.#sampled }
  }

  /** Asks who is here now; while anyone listens, the server keeps sending changes. */
  async ask(): Promise<PresenceView> {
    const input: PresenceInput = { watch: this.#listeners.size > 0 }
    this.#asking++
    try {
      const reply = (await this.#requests.send('$presence', input)) as PresenceReply
      this.#apply({ type: 'presence', count: reply.count, members: reply.members, ...(reply.sampled ? { sampled: true } : {}) })
    } finally {
      if (--this.#asking === 0) for (const frame of this.#held.splice(0)) this.#apply(frame)
    }
    return this.view
  }

  /** Calls `listener` with the view and what changed, at every change; the first listener starts watching. */
  listen(listener: Listener, onError: ErrorListener): () => void {
    this.#listeners.set(listener, onError)
    if (this.#listeners.size === 1 && this.#state() === 'open') this.#watch()
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return
      // Nobody listens any more: the server can stop sending (nothing to undo while disconnected).
      if (this.#state() === 'open') this.#requests.send('$presence', { watch: false } satisfies PresenceInput).catch(() => undefined)
    }
  }

  /** A welcome: watching resumes on the new connection, and its answer says what was missed. */
  welcomed(): void {
    if (this.#listeners.size > 0) this.#watch()
  }

  /** A `presence` frame from the server. */
  receive(frame: PresenceFrame): void {
    if (this.#asking > 0) this.#held.push(frame)
    else this.#apply(frame)
  }

  #watch(): void {
    this.ask().catch((error: ChannelClientError) => {
      // A dropped connection asks again at the next welcome.
      if (error.code === 'DISCONNECTED') return
      for (const onError of this.#listeners.values()) onError(error)
    })
  }

  #apply(frame: PresenceFrame): void {
    const change: PresenceChange = { joins: [], updates: [], leaves: [] }
    const same = frame.count === this.#count && (frame.sampled === true) === this.#sampled
    this.#count = frame.count
    this.#sampled = frame.sampled === true
    if (frame.members) {
      const next = new Map(frame.members.map((member) => [member.id, member]))
      for (const id of this.#members.keys()) if (!next.has(id)) change.leaves.push(id)
      for (const member of frame.members) {
        const known = this.#members.get(member.id)
        if (!known) change.joins.push(member)
        else if (JSON.stringify(known) !== JSON.stringify(member)) change.updates.push(member)
      }
      this.#members = next
    }
    for (const member of [...(frame.joins ?? []), ...(frame.updates ?? [])]) {
      // A frame held behind an answer may repeat what the answer already said.
      const known = this.#members.get(member.id)
      if (known && JSON.stringify(known) === JSON.stringify(member)) continue
      ;(known ? change.updates : change.joins).push(member)
      this.#members.set(member.id, member)
    }
    for (const id of frame.leaves ?? []) if (this.#members.delete(id)) change.leaves.push(id)
    if (same && change.joins.length + change.updates.length + change.leaves.length === 0) return
    const view = this.view
    for (const listener of this.#listeners.keys()) listener(view, change)
  }
}
