// The load generator: one scenario against one target, results as JSON on stdout.
// The same code drives all three targets; only the paths and frames they speak differ.
// Run by bench/run.mjs, pinned to its own core: node bench/load.mjs '<json>'.
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { cpuMs, rssBytes } from './proc.mjs'

const job = JSON.parse(process.argv[2])
const { target, scenario } = job
/** Ours with its defaults, or tuned: the same code and frames, on another channel. */
const ours = target.kind === 'ours' || target.kind === 'oursTuned'

/** Where a room lives on each target. */
const PATHS = {
  // `lifecycle` rows use our channel with an onDisconnect (raw and PartyServer run their close handlers anyway).
  ours: (room) => (scenario.lifecycle ? `/bench-lifecycle/${room}` : `/bench/${room}`),
  oursTuned: (room) => (scenario.lifecycle ? `/bench-lifecycle/${room}` : `/bench-tuned/${room}`),
  raw: (room) => `/r/${room}`,
  partyserver: (room) => `/parties/party-bench/${room}`,
}
const url = (room) => `${target.base}${PATHS[target.kind](room)}`
const room = () => `${scenario.kind}-${Math.random().toString(36).slice(2, 10)}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Opens a socket and resolves once the target's welcome frame is in. */
function open(address, onFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, { perMessageDeflate: false })
    const timer = setTimeout(() => reject(new Error(`no welcome from ${address}`)), 15_000)
    ws.on('error', reject)
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} from ${address}`)))
    ws.once('message', () => {
      clearTimeout(timer)
      if (onFrame) ws.on('message', onFrame)
      resolve(ws)
    })
  })
}

/** Opens `count` sockets, `concurrency` at a time. */
async function openMany(count, address, onFrame, concurrency = 50) {
  const sockets = []
  for (let i = 0; i < count; i += concurrency) {
    const batch = Math.min(concurrency, count - i)
    sockets.push(...(await Promise.all(Array.from({ length: batch }, (_, j) => open(address, onFrame ? onFrame(i + j) : undefined)))))
  }
  return sockets
}

function closeAll(sockets) {
  for (const ws of sockets) ws.terminate()
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** Latencies in ms, sampled evenly to bound memory. */
class Latencies {
  values = []
  #every = 1
  #count = 0
  add(ms) {
    if (this.#count++ % this.#every !== 0) return
    this.values.push(ms)
    if (this.values.length >= 200_000) {
      this.values = this.values.filter((_, i) => i % 2 === 0)
      this.#every *= 2
    }
  }
  summary() {
    const sorted = this.values.sort((a, b) => a - b)
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
  }
}

const payloadOf = (bytes) => 'x'.repeat(bytes)

/** The server's CPU time so far in ms (the workerd running the Worker, as the OS counts it), when the job names its pid. */
const serverCpuMs = () => (job.serverPid ? cpuMs(job.serverPid) : NaN)

/**
 * Runs `during` (a sleep, or the work itself) as the measured window: how long it really lasted,
 * this process's CPU over it (1 = one full core) and the server's CPU time in it (ms).
 */
async function window(during) {
  const cpu = process.cpuUsage()
  const serverBefore = serverCpuMs()
  const started = performance.now()
  const result = await during()
  const elapsed = performance.now() - started
  const serverCpu = serverCpuMs() - serverBefore
  const used = process.cpuUsage(cpu)
  return { result, elapsed, loadCpu: (used.user + used.system) / 1000 / elapsed, serverCpu }
}

/** A measured window of `durationMs`, with `setMeasuring` telling the counters when it runs. */
async function measure(durationMs, setMeasuring) {
  setMeasuring(true)
  const measured = await window(() => sleep(durationMs))
  setMeasuring(false)
  return measured
}

/** Action round trips: `connections` sockets, each keeping `inFlight` echo requests outstanding. */
async function roundTrips({ connections, inFlight, payloadBytes, durationMs }) {
  const address = url(room())
  const payload = payloadOf(payloadBytes)
  let measuring = false
  let done = 0
  const latencies = new Latencies()
  /** Request id -> [socket, time sent]. */
  const outstanding = new Map()
  let nextId = 1
  let running = true
  const send = (ws) => {
    const id = nextId++
    outstanding.set(id, [ws, performance.now()])
    ws.send(`{"action":"echo","id":${id},"data":{"payload":"${payload}"}}`)
  }
  const sockets = await openMany(connections, address, () => (raw) => {
    // Every target answers each request with one frame carrying its id.
    const id = Number(/"id":(\d+)/.exec(raw.toString())?.[1])
    const entry = outstanding.get(id)
    if (!entry) return
    outstanding.delete(id)
    if (measuring) {
      done++
      latencies.add(performance.now() - entry[1])
    }
    if (running) send(entry[0])
  })
  for (const ws of sockets) for (let i = 0; i < inFlight; i++) send(ws)
  await sleep(300) // warm up
  const { elapsed, loadCpu, serverCpu } = await measure(durationMs, (on) => (measuring = on))
  running = false
  closeAll(sockets)
  return { perSecond: (done / elapsed) * 1000, ...latencies.summary(), loadCpu, cpuUsPerMessage: (serverCpu * 1000) / done }
}

/** Fan-out: one publisher, `subscribers` receivers, `window` publishes outstanding. */
async function fanOut({ subscribers, payloadBytes, durationMs, window = 4 }) {
  const address = url(room())
  const payload = payloadOf(payloadBytes)
  const latencies = new Latencies()
  let measuring = false
  let delivered = 0
  const lastSeen = new Array(subscribers).fill(0)
  let gaps = 0
  const received = new Array(subscribers).fill(0)
  // Ours numbers events with seq (contiguous here: one topic per room); the others carry our own counter n.
  const onFrame = (index) => (raw) => {
    const text = raw.toString()
    if (ours && !text.startsWith('{"type":"event"')) return
    const n = Number(/"n":(\d+)/.exec(text)?.[1])
    const sentAt = Number(/"sentAt":([\d.]+)/.exec(text)?.[1])
    const order = ours ? Number(/"seq":(\d+)/.exec(text)?.[1]) : n
    if (lastSeen[index] !== 0 && order !== lastSeen[index] + 1) gaps++
    lastSeen[index] = order
    received[index]++
    if (measuring) {
      delivered++
      latencies.add(performance.now() - sentAt)
    }
  }
  const sockets = await openMany(subscribers, address, onFrame)
  if (ours) {
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise((resolve) => {
            const check = (raw) => raw.toString().includes('"action":"$subscribe"') && (ws.off('message', check), resolve())
            ws.on('message', check)
            ws.send('{"action":"$subscribe","id":"s","topic":"fanout"}')
          }),
      ),
    )
  }
  let published = 0
  let acked = 0
  let running = true
  const publisher = await open(address, (raw) => {
    const text = raw.toString()
    // Ours acknowledges with the publish reply; raw and PartyServer echo the broadcast to the publisher too.
    if (ours ? text.startsWith('{"type":"reply","action":"pub"') : text.startsWith('{"action":"pub"')) {
      acked++
      if (running) publish()
    }
  })
  const publish = () => {
    const n = ++published
    publisher.send(`{"action":"pub","id":${n},"data":{"payload":"${payload}","sentAt":${performance.now()},"n":${n}}}`)
  }
  const stats = async () => {
    if (!ours) return undefined
    return new Promise((resolve) => {
      const check = (raw) => {
        const text = raw.toString()
        if (text.includes('"action":"stats"')) {
          publisher.off('message', check)
          resolve(JSON.parse(text).data)
        }
      }
      publisher.on('message', check)
      publisher.send('{"action":"stats","id":"stats"}')
    })
  }
  for (let i = 0; i < window; i++) publish()
  await sleep(300)
  const before = await stats()
  const publishedBefore = published
  const { elapsed, loadCpu, serverCpu } = await measure(durationMs, (on) => (measuring = on))
  running = false
  const publishedDuring = published - publishedBefore
  // Let the last publishes land, then count what never arrived.
  const deadline = performance.now() + 5_000
  while (acked < published && performance.now() < deadline) await sleep(20)
  while (received.some((count) => count < published) && performance.now() < deadline) await sleep(20)
  const after = await stats()
  const lost = received.reduce((sum, count) => sum + Math.max(0, published - count), 0)
  closeAll([...sockets, publisher])
  const counters =
    before && after
      ? {
          sqlStatementsPerPublish: (after.sqlStatements - before.sqlStatements) / Math.max(1, publishedDuring),
          sqlWritesPerPublish: (after.sqlWrites - before.sqlWrites) / Math.max(1, publishedDuring),
          fullSocketScansPerPublish: (after.fullSocketScans - before.fullSocketScans) / Math.max(1, publishedDuring),
          taggedLookupsPerPublish: (after.taggedLookups - before.taggedLookups) / Math.max(1, publishedDuring),
        }
      : undefined
  return {
    perSecond: (delivered / elapsed) * 1000,
    publishesPerSecond: (publishedDuring / elapsed) * 1000,
    cpuUsPerMessage: (serverCpu * 1000) / publishedDuring,
    cpuUsPerDelivery: (serverCpu * 1000) / delivered,
    ...latencies.summary(),
    lost,
    outOfOrder: gaps,
    loadCpu,
    counters,
  }
}

/** Runs `step` in `concurrency` loops for `durationMs`: how many steps finished per second, the load generator's CPU, and the server's per step (µs). */
async function repeatFor(durationMs, concurrency, step) {
  let done = 0
  const end = performance.now() + durationMs
  const { elapsed, loadCpu, serverCpu } = await window(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          await step()
          done++
        }
      }),
    ),
  )
  return { done, perSecond: (done / elapsed) * 1000, loadCpu, cpuUsPerMessage: (serverCpu * 1000) / done }
}

/** Connection setup: `concurrency` sockets opening at a time, each counted at its welcome. */
async function setup({ durationMs, concurrency = 16 }) {
  const address = url(room())
  const sockets = []
  const { perSecond, loadCpu, cpuUsPerMessage } = await repeatFor(durationMs, concurrency, async () => sockets.push(await open(address)))
  closeAll(sockets)
  return { perSecond, loadCpu, cpuUsPerMessage }
}

/** Our counters (storage writes, socket lookups), read over a socket of its own room; undefined for the other targets. */
async function ourCounters() {
  if (!ours) return undefined
  const ws = await open(`${target.base}/bench/${room()}`)
  const counters = await new Promise((resolve) => {
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString())
      if (frame.id === 'stats') resolve(frame.data)
    })
    ws.send('{"action":"stats","id":"stats"}')
  })
  ws.terminate()
  return counters
}

/**
 * Connection churn: `concurrency` clients each open a socket, wait for its welcome,
 * close it and wait for the close, over and over: what a connect plus a disconnect
 * costs, the ledger of open connections included (one write each way, counted).
 */
async function churn({ durationMs, concurrency = 16 }) {
  const address = url(room())
  const before = await ourCounters()
  const { done, perSecond, loadCpu, cpuUsPerMessage } = await repeatFor(durationMs, concurrency, async () => {
    const ws = await open(address)
    await new Promise((closed) => {
      ws.once('close', closed)
      ws.close(1000)
    })
  })
  // Disconnects finish on the server after the close handshake: let the last ones land before counting.
  await sleep(300)
  const after = await ourCounters()
  const counters = before && after ? { sqlWritesPerConnection: (after.sqlWrites - before.sqlWrites) / Math.max(1, done) } : undefined
  return { perSecond, loadCpu, cpuUsPerMessage, counters }
}

/**
 * Idle connections: `connections` sockets opened (`concurrency` at a time, timed), then left alone for
 * `idleMs`, long enough for the object to hibernate under wrangler dev (about 10 s). The server's resident
 * memory is read before, once all are open, and after the idle time; every socket must still be open.
 */
async function idle({ connections, concurrency = 50, idleMs }) {
  const address = url(room())
  const before = rssBytes(job.serverPid)
  const started = performance.now()
  const cpuBefore = serverCpuMs()
  const sockets = await openMany(connections, address, undefined, concurrency)
  const setupMs = performance.now() - started
  const setupCpu = serverCpuMs() - cpuBefore
  const open = rssBytes(job.serverPid)
  await sleep(idleMs)
  const idled = rssBytes(job.serverPid)
  const stillOpen = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length
  closeAll(sockets)
  return { perSecond: (connections / setupMs) * 1000, cpuUsPerMessage: (setupCpu * 1000) / connections, rss: { before, open, idled }, stillOpen }
}

const run = { roundTrips, fanOut, setup, churn, idle }[scenario.kind]
try {
  const result = await run({ ...scenario, durationMs: job.durationMs })
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
} catch (error) {
  process.stderr.write(`${error.stack ?? error}\n`)
  process.exit(1)
}
