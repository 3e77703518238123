import { matches } from '../protocol/topics'

/** A live event as a window sees it: its number and topic (the host keeps how to send it). */
export interface LiveEvent {
  seq: number
  topic: string
}

interface Window<Event> {
  subscription: string
  /** The owner's head when it answered the replay; unknown while the replay is on its way. */
  through: number | undefined
  held: Event[]
}

/**
 * On a shard other than the owner, a `$subscribe` with `since` replays from
 * the owner's log while live events keep arriving from the owner on another
 * path. Each such connection has a window: live events are held until the
 * replay is sent, then those the replay covered (its subscription, at or
 * below the owner's head then) are dropped, the rest sent in order. The
 * owner sends one shard its events in sequence order, so the first live
 * event above that head closes the window: nothing the replay covered can
 * come after it.
 */
export class ReplayWindows<Event extends LiveEvent = LiveEvent> {
  readonly #windows = new Map<string, Window<Event>>()

  get size(): number {
    return this.#windows.size
  }

  /** A replay for this connection is about to be asked for. */
  open(channelId: string, subscription: string): void {
    this.#windows.set(channelId, { subscription, through: undefined, held: [] })
  }

  /** A live event for this connection: true to send it now (false: held, or covered by the replay). */
  admit(channelId: string, event: Event): boolean {
    const window = this.#windows.get(channelId)
    if (!window) return true
    if (window.through === undefined) {
      window.held.push(event)
      return false
    }
    return this.#passes(channelId, window, event)
  }

  /** The replay, up to the owner's head `through`, was sent: the held events it did not cover, to send now, in order. */
  settle(channelId: string, through: number): Event[] {
    const window = this.#windows.get(channelId)
    if (!window) return []
    window.through = through
    const held = window.held
    window.held = []
    return held.filter((event) => this.#passes(channelId, window, event))
  }

  forget(channelId: string): void {
    this.#windows.delete(channelId)
  }

  #passes(channelId: string, window: Window<Event>, event: LiveEvent): boolean {
    if (event.seq > window.through!) {
      this.#windows.delete(channelId)
      return true
    }
    return !matches(window.subscription, event.topic)
  }
}
