// The coordinator load: one mode against bench/coordinator's Worker, results as JSON on stdout.
// Run by bench/coordinator.mjs, pinned to its own core: node bench/coordinator-load.mjs '<json>'.
//
// `global`: one subscriber in each of `instances` rooms on the global topic `wide`, so every
// publish goes publisher's instance -> coordinator -> each instance -> its socket. `local`: the same
// number of subscribers in one room on the local topic `local` (fan-out without the coordinator
// hop). The publishers are sockets of their own rooms (global) or of the subscribers' room, not
// subscribed. Two phases: paced publishes, for the time from a publish to its last delivery, then
// each publisher sending as fast as its replies come, for deliveries a second. Every subscriber
// checks each publisher's sequence numbers: order and loss.
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

const { base, mode, instances, publishers, paced, paceMs, burst, tag } = JSON.parse(process.argv[2])
const topic = mode === 'global' ? 'wide' : 'local'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const WAIT_MS = 30_000

function open(room) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/relay/${room}`, { perMessageDeflate: false })
    const timer = setTimeout(() => reject(new Error(`no welcome from ${room}`)), WAIT_MS)
    ws.on('error', reject)
    ws.once('message', () => {
      clearTimeout(timer)
      resolve(ws)
    })
  })
}

/** Sends one action and resolves with its reply. */
function call(ws, action, data) {
  const id = Math.random().toString(36).slice(2)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${action}`)), WAIT_MS)
    const onMessage = (raw) => {
      const frame = JSON.parse(raw.toString())
      if (frame.id !== id) return
      ws.off('message', onMessage)
      clearTimeout(timer)
      if (frame.type === 'error') reject(new Error(`${action}: ${JSON.stringify(frame.error)}`))
      else resolve(frame.data)
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ action, id, data }))
  })
}

/** Each publish's send time, and when and how often it was delivered. */
const publishes = new Map()
const key = (p, n) => `${p}:${n}`
let delivered = 0
let lastDeliveryAt = 0
let outOfOrder = 0

/** One subscriber: the last number it saw from each publisher. */
function subscriber(ws) {
  const last = new Map()
  const counts = new Map()
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString())
    if (frame.type !== 'event') return
    const now = performance.now()
    const { p, n } = frame.data
    if (n <= (last.get(p) ?? -1)) outOfOrder++
    last.set(p, n)
    counts.set(p, (counts.get(p) ?? 0) + 1)
    delivered++
    lastDeliveryAt = now
    const entry = publishes.get(key(p, n))
    if (entry) {
      entry.deliveries++
      entry.lastAt = now
    }
  })
  return counts
}

/** Publisher `p` sends `count` events from `from` on, `gapMs` apart (0: as fast as replies come). */
async function publish(ws, p, from, count, gapMs) {
  for (let n = from; n < from + count; n++) {
    const started = performance.now()
    publishes.set(key(p, n), { sentAt: started, deliveries: 0, lastAt: 0 })
    await call(ws, 'pub', { topic, p, n })
    if (gapMs > 0) await sleep(Math.max(0, gapMs - (performance.now() - started)))
  }
}

/** Waits until every publish so far reached every subscriber, or the wait runs out. */
async function settle(expected) {
  const deadline = Date.now() + WAIT_MS
  while (delivered < expected && Date.now() < deadline) await sleep(5)
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

async function main() {
  const rooms = mode === 'global' ? Array.from({ length: instances }, (_, i) => `${tag}-sub-${i}`) : Array.from({ length: instances }, () => `${tag}-room`)
  const subs = []
  for (let i = 0; i < rooms.length; i += 10) subs.push(...(await Promise.all(rooms.slice(i, i + 10).map(open))))
  const counts = subs.map(subscriber)
  for (const ws of subs) await call(ws, '$subscribe', { topic })
  const pubs = await Promise.all(Array.from({ length: publishers }, (_, p) => open(mode === 'global' ? `${tag}-pub-${p}` : `${tag}-room`)))

  // Warm-up: every object awake and every stub made, outside the figures.
  await Promise.all(pubs.map((ws, p) => publish(ws, p, 0, 5, 0)))
  await settle(subs.length * publishers * 5)
  const warm = 5

  // Paced: the time from a publish to its last delivery, with no queue in front of it.
  publishes.clear()
  await Promise.all(pubs.map((ws, p) => publish(ws, p, warm, paced, paceMs)))
  await settle(subs.length * publishers * (warm + paced))
  const latencies = [...publishes.values()].filter((e) => e.deliveries === subs.length).map((e) => e.lastAt - e.sentAt).sort((a, b) => a - b)
  const incomplete = publishes.size - latencies.length

  // Burst: deliveries a second with every publisher sending as fast as its replies come.
  publishes.clear()
  const before = delivered
  const started = performance.now()
  await Promise.all(pubs.map((ws, p) => publish(ws, p, warm + paced, burst, 0)))
  const publishedMs = performance.now() - started
  const expected = subs.length * publishers * (warm + paced + burst)
  await settle(expected)
  const burstMs = lastDeliveryAt - started
  const burstLatencies = [...publishes.values()].filter((e) => e.deliveries === subs.length).map((e) => e.lastAt - e.sentAt).sort((a, b) => a - b)

  const perPublisher = warm + paced + burst
  const lost = counts.reduce((sum, c) => sum + Array.from({ length: publishers }, (_, p) => perPublisher - (c.get(p) ?? 0)).reduce((a, b) => a + b, 0), 0)
  for (const ws of [...subs, ...pubs]) ws.terminate()
  return {
    mode,
    subscribers: subs.length,
    publishers,
    paced: { publishes: latencies.length, incomplete, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: latencies.at(-1) },
    burst: {
      publishes: publishers * burst,
      publishesPerSecond: (publishers * burst * 1000) / publishedMs,
      deliveriesPerSecond: ((delivered - before) * 1000) / burstMs,
      lastDeliveryMs: burstMs,
      p50Ms: percentile(burstLatencies, 0.5),
      p99Ms: percentile(burstLatencies, 0.99),
    },
    delivered,
    expected,
    lost,
    outOfOrder,
  }
}

process.stdout.write(JSON.stringify(await main()))
process.exit(0)
