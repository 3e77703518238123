// The fault-injection run: publishers post numbered items and subscribers log what
// they receive, over a real `wrangler dev`, while the run kills and restarts it
// (kill -9), freezes it, lets it hibernate, drops client sockets without a close and
// stalls a reader. Then every log goes to the checker. Bounded in time; it kills only
// the server it started.
import WebSocket from 'ws'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { ChannelClientError } from '../../src/client/client-error'
import { DevServer, sleep } from '../e2e/support/dev-server'
import { verdict, type Delivery, type Post, type SubscriberLog, type Verdict } from './checker'

export interface ScenarioOptions {
  /** How long publishers post, in ms (faults are spread over it). */
  durationMs: number
  publishers?: number
  subscribers?: number
  /** The planted bug the checker must find: subscribers resubscribe without `since` after a reconnect. */
  ignoreSince?: boolean
  /**
   * The other planted bug: publishers without a resume token (`resume: false`) that send a post
   * again when its connection dropped before the answer, as an app without retries that never
   * run twice would have to: some posts then run twice.
   */
  retryWithoutResume?: boolean
}

export interface ScenarioResult {
  verdict: Verdict
  faults: string[]
  /** Posts acknowledged although their connection dropped while they were in flight or queued. */
  retried: number
  durationMs: number
}

interface Item {
  client: string
  n: number
}

/** The socket a client is using right now, so the run can drop it. */
interface SocketHolder {
  current?: WebSocket
  /** Lose the answer to the next post: the server runs it and answers, and the socket drops without a close before the client sees the answer. */
  loseNextAnswer?: boolean
  /** The id of the post whose answer is to be lost, once it went out. */
  losing?: number
}

/**
 * A `ws` WebSocket class that tells `holder` which socket is current; with
 * `forgetSince`, it also drops `since` from `$subscribe`: the planted bug.
 */
function socketClass(holder: SocketHolder, forgetSince: boolean): new (url: string) => WebSocket {
  return class Tracked extends WebSocket {
    constructor(url: string) {
      super(url)
      holder.current = this
    }

    override send(data: unknown, ...rest: unknown[]): void {
      if (forgetSince && typeof data === 'string' && data.includes('"$subscribe"')) {
        const frame = JSON.parse(data) as { data?: { since?: number } }
        if (frame.data) delete frame.data.since
        data = JSON.stringify(frame)
      }
      ;(WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest)
      if (holder.loseNextAnswer && typeof data === 'string' && data.includes('"action":"post"')) {
        holder.loseNextAnswer = false
        holder.losing = (JSON.parse(data) as { id: number }).id
      }
    }

    // The answer to the post being lost is swallowed, and the socket dropped: it ran, the client cannot know.
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && holder.losing !== undefined && holder.current === this) {
        const frame = JSON.parse(String(args[0])) as { type?: string; id?: unknown }
        if ((frame.type === 'reply' || frame.type === 'error') && frame.id === holder.losing) {
          holder.losing = undefined
          this.terminate()
          return true
        }
      }
      return super.emit(event, ...args)
    }
  }
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now()
  const server = new DevServer({ config: 'test/faults/worker/wrangler.toml' })
  const faults: string[] = []
  const clients: ChannelClient[] = []
  await server.start()
  const room = `faults-${started}`
  const url = `${server.baseUrl.replace('http', 'ws')}/feed/${room}`
  const connect = (holder: SocketHolder = {}, forgetSince = false, resume = true) => {
    const client = createClient(url, { WebSocket: socketClass(holder, forgetSince) as never, timeoutMs: 3_000, reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, keepaliveMs: false, resume })
    clients.push(client)
    return client
  }
  try {
    const subscribers: (SubscriberLog & { socket: SocketHolder })[] = []
    for (let i = 0; i < (options.subscribers ?? 3); i++) {
      const socket: SocketHolder = {}
      const client = connect(socket, options.ignoreSince === true)
      const log = { name: `s${i + 1}`, deliveries: [] as Delivery[], resyncs: 0, socket }
      const onItem = (data: unknown, { seq }: { seq: number }) => {
        const item = data as Item
        log.deliveries.push({ client: item.client, n: item.n, seq })
      }
      await client.subscribe('feed:items', onItem, { onResync: () => log.resyncs++ }).ready
      subscribers.push(log)
    }

    const posts: Post[] = []
    /** Posts answered only after their connection dropped and came back: retried by the client, with the same id. */
    let retried = 0
    let posting = true
    let paused = false
    const publisherSockets: SocketHolder[] = []
    const publish = async (name: string) => {
      const socket: SocketHolder = {}
      publisherSockets.push(socket)
      const client = connect(socket, false, options.retryWithoutResume !== true)
      let drops = 0
      client.onStateChange((state) => state === 'connecting' && drops++)
      await client.ready()
      for (let n = 1; posting; n++) {
        while (paused && posting) await sleep(50)
        const dropsBefore = drops
        try {
          try {
            await client.send('post', { client: name, n })
          } catch (error) {
            if (!(options.retryWithoutResume && error instanceof ChannelClientError && error.code === 'DISCONNECTED')) throw error
            await client.ready()
            await client.send('post', { client: name, n })
          }
          posts.push({ client: name, n, outcome: 'acked' })
          if (drops > dropsBefore) retried++
        } catch (error) {
          // Sent, then the connection dropped or timed out: it may have run, and a retry would be a second post.
          // Never sent (the buffer was full): it did not run.
          const code = error instanceof ChannelClientError ? error.code : 'UNKNOWN'
          if (code !== 'BUFFER_FULL') posts.push({ client: name, n, outcome: 'maybe' })
          await sleep(100)
        }
        await sleep(40)
      }
    }
    const publishers = Array.from({ length: options.publishers ?? 3 }, (_, i) => publish(`p${i + 1}`))

    // The faults, spread over the run.
    const at = (fraction: number) => sleep(Math.max(0, started + 3_000 + fraction * options.durationMs - Date.now()))
    const schedule = (async () => {
      await at(0.1)
      faults.push('kill -9 of wrangler dev, and a restart on the same state')
      await server.stop('SIGKILL')
      await server.start()
      await at(0.25)
      faults.push("client sockets dropped without a close (a subscriber's, and each publisher's with a post in flight whose answer it never read)")
      subscribers[0]!.socket.current?.terminate()
      for (const socket of publisherSockets) socket.loseNextAnswer = true
      await at(0.35)
      faults.push('a reader stalled for 2 s (its socket not read)')
      const stalled = (subscribers[1]!.socket.current as unknown as { _socket?: { pause(): void; resume(): void } } | undefined)?._socket
      stalled?.pause()
      await sleep(2_000)
      stalled?.resume()
      await at(0.45)
      faults.push('wrangler dev frozen (SIGSTOP) for 2 s')
      server.pause()
      await sleep(2_000)
      server.resume()
      await at(0.55)
      faults.push('an idle pause of 12 s: the object hibernates')
      paused = true
      await sleep(12_000)
      paused = false
      await at(0.85)
      faults.push('kill -9 of wrangler dev, and a restart on the same state')
      await server.stop('SIGKILL')
      await server.start()
    })()
    await at(1)
    await schedule
    posting = false
    await Promise.all(publishers)

    // Let every subscriber catch up (replay included) before judging.
    const expected = posts.filter((post) => post.outcome === 'acked').length
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && subscribers.some((s) => new Set(s.deliveries.map((d) => `${d.client}#${d.n}`)).size < expected)) await sleep(200)

    const auditor = connect()
    const { twice } = (await auditor.send('audit')) as { twice: { client: string; n: number; count: number }[] }
    return { verdict: verdict(posts, subscribers, twice), faults, retried, durationMs: Date.now() - started }
  } finally {
    for (const client of clients) client.close()
    await server.dispose()
  }
}
