import { exceeds } from '../bytes'
import { encodePresence } from '../protocol/encode'
import type { PresenceMember, PresenceReply } from '../protocol/frames'
import type { Connection } from '../runtime/connection'
import { MAX_PRESENCE_BYTES, memberIdOf, type ResolvedPresence } from './options'

interface Member {
  data: unknown
  /** Its open connections, by channel id. */
  readonly conns: Map<string, Connection>
}

/**
 * Who is in one channel instance, and the watchers told when that changes.
 *
 * Nothing here is stored: each connection's record (its socket attachment)
 * carries its member id and data, and whether it watches. So the room is
 * memory rebuilt from the open sockets at the first use after a wake, and a
 * join or leave costs no storage write (only the attachment the connection
 * saves anyway when it opens).
 *
 * Changes are coalesced per turn: the first change of a turn queues one
 * microtask, which sends every watcher one frame with all of the turn's
 * changes, their net effect (a join and a leave in one turn send nothing). A
 * microtask runs before the event that queued it ends, so it never keeps a
 * hibernating object awake as a timer would. Joins that arrive as separate
 * upgrades are separate turns, so N of them cost each watcher N frames of
 * one member each: O(N), never a list per join.
 */
export class PresenceRoom {
  readonly #channel: string
  readonly #options: ResolvedPresence
  readonly #list: () => Iterable<Connection>
  readonly #members = new Map<string, Member>()
  readonly #watchers = new Map<string, Connection>()
  /** Data set by `setPresence` while a connection's onConnect ran: it joins with it (opening is one wake, so memory holds). */
  readonly #preset = new Map<string, unknown>()
  #loaded = false
  /** Members changed this turn, with what watchers last saw of them (undefined: absent). */
  readonly #pending = new Map<string, string | undefined>()
  #scheduled = false
  /** Whether watchers were last told the room is large (counts and a sample). */
  #sampled = false
  /** The sample and count watchers were last sent. */
  #sentSample = ''
  #sentCount = 0

  constructor(channel: string, options: ResolvedPresence, list: () => Iterable<Connection>) {
    this.#channel = channel
    this.#options = options
    this.#list = list
  }

  /**
   * A connection is opening: it joins (its member, if the user is already
   * here on another tab). Called just before the record is saved open, which
   * saves its member too.
   */
  join(conn: Connection): void {
    this.#load()
    const { record } = conn
    const id = memberIdOf(record.session, record.channelId)
    let member = this.#members.get(id)
    // Data set by setPresence while onConnect ran is this connection's own; else it takes the member's, or the default.
    const preset = this.#preset.get(record.channelId)
    this.#preset.delete(record.channelId)
    const data = preset !== undefined ? preset : member ? member.data : this.#defaultData(conn, id)
    this.#touch(id)
    if (!member) this.#members.set(id, (member = { data, conns: new Map() }))
    member.conns.set(record.channelId, conn)
    this.#setData(id, member, data, conn)
  }

  /** A connection closed (or was found gone after a crash): it leaves, and so does its member with its last connection. */
  leave(conn: Connection): void {
    this.#preset.delete(conn.record.channelId)
    const id = conn.record.member?.id
    if (id === undefined) return
    this.#load(conn)
    this.#watchers.delete(conn.record.channelId)
    const member = this.#members.get(id)
    if (!member?.conns.has(conn.record.channelId)) return
    this.#touch(id)
    member.conns.delete(conn.record.channelId)
    if (member.conns.size === 0) this.#members.delete(id)
  }

  /** `channel.setPresence(data)`: the member's data, for all its connections; `undefined` restores the default. */
  update(conn: Connection, data: unknown): void {
    const { record } = conn
    const id = record.member?.id ?? memberIdOf(record.session, record.channelId)
    if (data === undefined) data = this.#defaultData(conn, id)
    checkSize(data)
    if (conn.state === 'initial') {
      // Still in onConnect: it joins with this data when it opens.
      this.#preset.set(record.channelId, data)
      return
    }
    const member = conn.state === 'open' && this.#loadedMember(id)
    if (!member) return
    this.#touch(id)
    this.#setData(id, member, data)
  }

  /** The session changed: if it names another user, the connection moves to that member (with that member's data, or a fresh default). */
  rejoin(conn: Connection): void {
    const { record } = conn
    if (conn.state !== 'open' || !record.member || memberIdOf(record.session, record.channelId) === record.member.id) return
    this.leave(conn)
    delete record.member
    this.join(conn)
    conn.socket.save(record)
    if (record.watching) this.#watchers.set(record.channelId, conn)
  }

  /** `$presence`: who is here now; with `watch`, the connection is sent every change from here on (and its attachment says so). */
  watch(conn: Connection, watch: boolean): PresenceReply {
    this.#load()
    // What changed before this answer goes to the other watchers now; this one reads it in the answer.
    this.#flush()
    const { record } = conn
    if (watch !== Boolean(record.watching)) {
      if (watch) record.watching = true
      else delete record.watching
      conn.socket.save(record)
    }
    if (watch) this.#watchers.set(record.channelId, conn)
    else this.#watchers.delete(record.channelId)
    return this.snapshot()
  }

  /** Who is here now, as `$presence` answers it, watching nothing (what each shard of a sharded instance is asked). */
  snapshot(): PresenceReply {
    this.#load()
    this.#flush()
    const members = this.#sampled ? this.#sample() : [...this.#members.keys()].map((id) => this.#member(id)!)
    return this.#sampled ? { count: this.#members.size, members, sampled: true } : { count: this.#members.size, members }
  }

  /** Members here now (for tests and hosts; `$presence` is the clients' way). */
  get count(): number {
    this.#load()
    return this.#members.size
  }

  /**
   * Rebuilds the room from the open connections' records, once per wake.
   * `also` is a connection that is closing as this happens: its record says
   * closed already, but watchers knew it as here, so it is counted to leave.
   */
  #load(also?: Connection): void {
    if (this.#loaded) return
    this.#loaded = true
    const add = (conn: Connection) => {
      const { member: own, channelId } = conn.record
      if (!own) return
      const member = this.#members.get(own.id)
      if (member) member.conns.set(channelId, conn)
      else this.#members.set(own.id, { data: own.data, conns: new Map([[channelId, conn]]) })
    }
    for (const conn of this.#list()) {
      if (conn.record.channel !== this.#channel || conn.state !== 'open') continue
      add(conn)
      if (conn.record.watching) this.#watchers.set(conn.record.channelId, conn)
    }
    if (also) add(also)
    this.#sentCount = this.#members.size
    this.#sampled = this.#sentCount > this.#options.largeRoom
    if (this.#sampled) this.#sentSample = JSON.stringify(this.#sample())
  }

  #loadedMember(id: string): Member | undefined {
    this.#load()
    return this.#members.get(id)
  }

  #defaultData(conn: Connection, id: string): unknown {
    const { of } = this.#options
    if (!of) return id
    const { channelId, session, openingData } = conn.record
    const data = of({ channelId, session, openingData })
    checkSize(data)
    return data
  }

  /** Every connection of a member carries its data, so any one of them rebuilds it after a wake; `opening` is saved by its own open. */
  #setData(id: string, member: Member, data: unknown, opening?: Connection): void {
    member.data = data
    for (const conn of member.conns.values()) {
      const own = conn.record.member
      if (own !== undefined && own.data === data && own.id === id) continue
      conn.record.member = { id, data }
      if (conn !== opening) conn.socket.save(conn.record)
    }
  }

  #member(id: string): PresenceMember | undefined {
    const member = this.#members.get(id)
    return member && { id, data: member.data, connections: member.conns.size }
  }

  /** The first members to have joined (of those here since the wake): stable while they stay. */
  #sample(): PresenceMember[] {
    const sample: PresenceMember[] = []
    for (const id of this.#members.keys()) {
      if (sample.length === this.#options.sample) break
      sample.push(this.#member(id)!)
    }
    return sample
  }

  #touch(id: string): void {
    if (!this.#pending.has(id)) {
      const member = this.#member(id)
      this.#pending.set(id, member && JSON.stringify(member))
    }
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => this.#flush())
  }

  /** Sends the turn's changes, one frame for every watcher. */
  #flush(): void {
    this.#scheduled = false
    if (this.#pending.size === 0) return
    const joins: PresenceMember[] = []
    const updates: PresenceMember[] = []
    const leaves: string[] = []
    for (const [id, before] of this.#pending) {
      const now = this.#member(id)
      if (!now) {
        if (before !== undefined) leaves.push(id)
      } else if (before === undefined) joins.push(now)
      else if (JSON.stringify(now) !== before) updates.push(now)
    }
    this.#pending.clear()
    if (joins.length + updates.length + leaves.length === 0) return
    const frame = this.#frame(joins, updates, leaves)
    if (frame === undefined) return
    for (const watcher of this.#watchers.values()) watcher.send(frame)
  }

  /** Diffs in a room watchers see whole; in a large one, the count and the sample when it changed; a full list on the way back. */
  #frame(joins: PresenceMember[], updates: PresenceMember[], leaves: string[]): string | undefined {
    const count = this.#members.size
    const { largeRoom } = this.#options
    const wasSampled = this.#sampled
    // Back to full lists only well below the threshold, so a room hovering at it does not send a full list per change.
    this.#sampled = wasSampled ? count > Math.floor(largeRoom * 0.9) : count > largeRoom
    const countChanged = count !== this.#sentCount
    this.#sentCount = count
    if (this.#sampled) {
      const sample = this.#sample()
      const key = JSON.stringify(sample)
      const sampleChanged = !wasSampled || key !== this.#sentSample
      this.#sentSample = key
      if (!sampleChanged && !countChanged) return undefined
      return encodePresence({ count, ...(sampleChanged ? { members: sample } : {}), sampled: true })
    }
    if (wasSampled) return encodePresence({ count, members: [...this.#members.keys()].map((id) => this.#member(id)!) })
    return encodePresence({ count, ...nonEmpty({ joins, updates, leaves }) })
  }
}

function checkSize(data: unknown): void {
  const json = JSON.stringify(data)
  if (json === undefined) throw new TypeError('Presence data must be JSON')
  if (exceeds(json, MAX_PRESENCE_BYTES)) throw new RangeError(`Presence data must be at most ${MAX_PRESENCE_BYTES} bytes as JSON (it is sent to every watcher and kept in each connection's attachment)`)
}

/** Only the lists that have something in them. */
function nonEmpty<T extends Record<string, unknown[]>>(lists: T): Partial<T> {
  return Object.fromEntries(Object.entries(lists).filter(([, list]) => list.length > 0)) as Partial<T>
}
