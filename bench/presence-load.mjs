// The presence load: one mode against our bench Worker, results as JSON on stdout.
// Run by bench/presence.mjs, pinned to its own core: node bench/presence-load.mjs '<json>'.
//
// A room of `members` connections (`watchers` of them asking $presence, or in the naive mode all of
// them, since a broadcast goes to everyone), then a burst of `burst` joins at once and, once every
// watcher has heard of them, their leaves. Frames are counted at the watchers; memory is the
// workerd processes' resident set, read from /proc.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

const { base, mode, members, burst, watchers: watcherCount, pids } = JSON.parse(process.argv[2])
const PATHS = { naive: 'bench-naive', sampled: 'bench-presence', full: 'bench-presence-full' }
const room = `${mode}-${Math.random().toString(36).slice(2, 10)}`
const address = `${base}/${PATHS[mode === 'naive' ? 'naive' : mode === 'full' ? 'full' : 'sampled']}/${room}`
const naive = mode === 'naive'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** The workerd processes' resident memory, in MiB. */
function workerdMiB() {
  let kib = 0
  for (const pid of pids) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      // gone
    }
  }
  return kib / 1024
}

/** One connection; as a watcher it counts what it is sent and knows the room's count (presence) or the joins and leaves it heard (naive). */
class Peer {
  frames = 0
  bytes = 0
  count = 0
  joins = 0
  leaves = 0

  constructor(ws, watching) {
    this.ws = ws
    if (!watching) return
    ws.on('message', (data) => {
      const text = data.toString()
      const frame = JSON.parse(text)
      if (frame.type === 'reply') {
        if (frame.data?.count !== undefined) this.count = frame.data.count
        return
      }
      this.frames++
      this.bytes += text.length
      if (frame.type === 'presence') this.count = frame.count
      else if (frame.data?.joined) this.joins++
      else if (frame.data?.left) this.leaves++
    })
  }

  reset() {
    this.frames = this.bytes = this.joins = this.leaves = 0
  }
}

function open(watching) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, { perMessageDeflate: false })
    const timer = setTimeout(() => reject(new Error(`no welcome from ${address}`)), 30_000)
    ws.on('error', reject)
    ws.once('message', () => {
      clearTimeout(timer)
      resolve(new Peer(ws, watching))
    })
  })
}

async function openMany(count, watching, concurrency) {
  const peers = []
  for (let i = 0; i < count; i += concurrency) {
    peers.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, j) => open(watching(i + j))))))
  }
  return peers
}

/** Resolves with the ms until `done()` holds, polling; throws after 60 s. */
async function until(done, started) {
  while (!done()) {
    if (performance.now() - started > 60_000) throw new Error(`${mode}: watchers did not all hear the change within 60 s`)
    await new Promise((resolve) => setImmediate(resolve))
  }
  return performance.now() - started
}

/** Frames and bytes the watchers got since their reset, per change per watcher and in all. */
function tally(watchers, changes) {
  const frames = watchers.reduce((sum, w) => sum + w.frames, 0)
  const bytes = watchers.reduce((sum, w) => sum + w.bytes, 0)
  return { framesPerWatcher: frames / watchers.length / changes, framesToWatchers: frames / changes, bytesPerWatcher: bytes / watchers.length / changes }
}

/** Storage writes so far, from the bench build's counters (the `stats` action of its plain channel). */
function sqlWrites() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/bench/stats-${room}`, { perMessageDeflate: false })
    ws.on('error', reject)
    ws.on('open', () => ws.send('{"action":"stats","id":"stats"}'))
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString())
      if (frame.id !== 'stats') return
      ws.terminate()
      resolve(frame.data.sqlWrites)
    })
  })
}

async function main() {
  const memoryBefore = workerdMiB()
  const room = await openMany(members, (i) => naive || i < watcherCount, 50)
  const watchers = naive ? room : room.slice(0, watcherCount)
  if (!naive) {
    for (const w of watchers) w.ws.send('{"action":"$presence","id":1}')
    await until(() => watchers.every((w) => w.count === members), performance.now())
  } else {
    // Joins published while others were still subscribing reach only some: wait until the room is quiet.
    for (let last = -1, now = 0; now !== last; await sleep(500)) [last, now] = [now, watchers.reduce((sum, w) => sum + w.frames, 0)]
  }
  await sleep(300)
  const memoryRoom = workerdMiB()

  const writesBefore = await sqlWrites()
  for (const w of watchers) w.reset()
  const joinStarted = performance.now()
  const joiners = await Promise.all(Array.from({ length: burst }, () => open(false)))
  const joinMs = await until(() => (naive ? watchers.every((w) => w.joins === burst) : watchers.every((w) => w.count === members + burst)), joinStarted)
  await sleep(300) // anything still coming is counted too
  const joined = tally(watchers, burst)
  const memoryAfterBurst = workerdMiB()

  for (const w of watchers) w.reset()
  const leaveStarted = performance.now()
  for (const peer of joiners) peer.ws.close(1000)
  const leaveMs = await until(() => (naive ? watchers.every((w) => w.leaves === burst) : watchers.every((w) => w.count === members)), leaveStarted)
  await sleep(300)
  const left = tally(watchers, burst)
  const memoryAfter = workerdMiB()
  const writesPerJoinAndLeave = ((await sqlWrites()) - writesBefore) / burst

  for (const peer of room) peer.ws.terminate()
  process.stdout.write(
    JSON.stringify({ mode, watchers: watchers.length, joined, left, joinMs, leaveMs, writesPerJoinAndLeave, memoryMiB: { before: memoryBefore, room: memoryRoom, afterBurst: memoryAfterBurst, after: memoryAfter } }),
  )
  process.exit(0)
}

await main()
