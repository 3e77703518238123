// The fault-injection run's verdict, from the logs every client kept: which
// acknowledged events a subscriber never got, got twice or out of order, and
// which actions the server ran more than once. Pure: it reads logs, nothing else.

/** A post a publisher sent: acknowledged (its reply arrived), or maybe run (the connection dropped first). */
export interface Post {
  client: string
  n: number
  outcome: 'acked' | 'maybe'
}

/** One delivery as a subscriber's callback saw it. */
export interface Delivery {
  client: string
  n: number
  seq: number
}

export interface SubscriberLog {
  name: string
  deliveries: Delivery[]
  /** The server said its log no longer reaches back: events may be gone. */
  resyncs: number
}

export interface Verdict {
  events: number
  posts: number
  lost: string[]
  duplicated: string[]
  outOfOrder: string[]
  unexpected: string[]
  ranTwice: string[]
  resyncs: number
  violations: number
}

const key = (item: { client: string; n: number }) => `${item.client}#${item.n}`

/**
 * Every subscriber was subscribed before the first post, so it must receive
 * every acknowledged post exactly once, each publisher's in the order it
 * posted them, in increasing `seq`. A post that was maybe run may be there
 * or not, but once at most. A post the server counted twice ran twice.
 */
export function verdict(posts: Post[], subscribers: SubscriberLog[], runTwice: { client: string; n: number; count: number }[]): Verdict {
  const outcome = new Map(posts.map((post) => [key(post), post.outcome]))
  const result: Verdict = { events: 0, posts: posts.length, lost: [], duplicated: [], outOfOrder: [], unexpected: [], ranTwice: [], resyncs: 0, violations: 0 }
  for (const subscriber of subscribers) {
    const seen = new Set<string>()
    const lastN = new Map<string, number>()
    let lastSeq = 0
    result.events += subscriber.deliveries.length
    result.resyncs += subscriber.resyncs
    for (const delivery of subscriber.deliveries) {
      const id = key(delivery)
      if (!outcome.has(id)) result.unexpected.push(`${subscriber.name}: ${id}`)
      if (seen.has(id)) result.duplicated.push(`${subscriber.name}: ${id}`)
      seen.add(id)
      if (delivery.seq <= lastSeq || delivery.n <= (lastN.get(delivery.client) ?? 0)) result.outOfOrder.push(`${subscriber.name}: ${id} (seq ${delivery.seq} after ${lastSeq})`)
      lastSeq = Math.max(lastSeq, delivery.seq)
      lastN.set(delivery.client, Math.max(lastN.get(delivery.client) ?? 0, delivery.n))
    }
    for (const [id, state] of outcome) if (state === 'acked' && !seen.has(id)) result.lost.push(`${subscriber.name}: ${id}`)
  }
  result.ranTwice = runTwice.map((run) => `${key(run)} ran ${run.count} times`)
  result.violations = result.lost.length + result.duplicated.length + result.outOfOrder.length + result.unexpected.length + result.ranTwice.length + result.resyncs
  return result
}
