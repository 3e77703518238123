// The shards load: one mode against bench/shards/, results as JSON on stdout.
// Run by bench/shards.mjs, pinned to its own core: node bench/shards-load.mjs '<json>'.
//
// `subscribers` connections to one room, placed evenly over its `shards` objects (each signs in as a
// user the router hashes onto the shard wanted), all subscribed to one topic; one publisher, on
// shard 1 when there are shards (so each publish goes shard -> owner -> every shard), keeps
// `window` publishes outstanding for `durationMs`. Every subscriber checks the events' sequence
// numbers: each must be the one after the last (the owner numbers the instance's events), so
// a gap is loss or disorder and a repeat a duplicate.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

const { base, shards, subscribers, durationMs, window = 4, payloadBytes = 32, pids = [] } = JSON.parse(process.argv[2])
const route = shards > 1 ? 'sharded' : 'single'
const address = `${base}/${route}/r${Math.random().toString(36).slice(2, 10)}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** src/core/shards/placement.ts's shardOf, to pick users the router places on each shard. */
function shardOf(key, count) {
  if (count <= 1) return 0
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % count
}

/** `count` user names for each shard, in turn. */
function users(count) {
  const byShard = Array.from({ length: shards }, () => [])
  for (let i = 0; byShard.some((list) => list.length < count / shards); i++) {
    const list = byShard[shardOf(`user:v${i}`, shards)]
    if (list.length < count / shards) list.push(`v${i}`)
  }
  return byShard.flat()
}

function open(user, onFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${address}?user=${user}`, { perMessageDeflate: false })
    const timer = setTimeout(() => reject(new Error(`no welcome from ${address}`)), 30_000)
    ws.on('error', reject)
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} from ${address}`)))
    ws.once('message', () => {
      clearTimeout(timer)
      if (onFrame) ws.on('message', onFrame)
      resolve(ws)
    })
  })
}

/** CPU seconds the server's workerd processes have used (utime + stime from /proc, in clock ticks of 10 ms). */
function serverCpuSeconds() {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return ticks / 100
}

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))])

async function main() {
  const names = users(subscribers)
  const latencies = []
  let measuring = false
  let delivered = 0
  const last = new Array(subscribers).fill(0)
  const received = new Array(subscribers).fill(0)
  let gaps = 0
  let duplicates = 0
  const onFrame = (index) => (raw) => {
    const text = raw.toString()
    if (!text.startsWith('{"type":"event"')) return
    const seq = Number(/"seq":(\d+)/.exec(text)?.[1])
    if (last[index] !== 0 && seq <= last[index]) duplicates++
    else if (last[index] !== 0 && seq !== last[index] + 1) gaps++
    last[index] = Math.max(last[index], seq)
    received[index]++
    if (measuring) {
      delivered++
      // Every 10th delivery, to bound memory; the order of arrival is what it is.
      if (delivered % 10 === 0) latencies.push(performance.now() - Number(/"sentAt":([\d.]+)/.exec(text)?.[1]))
    }
  }
  const sockets = []
  const setupStarted = performance.now()
  for (let i = 0; i < subscribers; i += 50) sockets.push(...(await Promise.all(names.slice(i, i + 50).map((name, j) => open(name, onFrame(i + j))))))
  const setupMs = performance.now() - setupStarted
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
  // The publisher: on shard 1 when there are shards (a handler's publish there goes through the owner).
  const publisherUser = (() => {
    for (let i = 0; ; i++) if (shardOf(`user:pub${i}`, shards) === (shards > 1 ? 1 : 0)) return `pub${i}`
  })()
  let published = 0
  let acked = 0
  let running = true
  const payload = 'x'.repeat(payloadBytes)
  const publish = () => publisher.send(`{"action":"pub","id":${++published},"data":{"payload":"${payload}","sentAt":${performance.now()},"n":${published}}}`)
  const publisher = await open(publisherUser, (raw) => {
    if (!raw.toString().startsWith('{"type":"reply","action":"pub"')) return
    acked++
    if (running) publish()
  })
  for (let i = 0; i < window; i++) publish()
  await sleep(500) // warm up
  const publishedBefore = published
  const cpu = process.cpuUsage()
  const serverCpuBefore = serverCpuSeconds()
  measuring = true
  const started = performance.now()
  await sleep(durationMs)
  measuring = false
  const elapsed = performance.now() - started
  const used = process.cpuUsage(cpu)
  const serverCpu = serverCpuSeconds() - serverCpuBefore
  running = false
  const publishedDuring = published - publishedBefore
  const deadline = performance.now() + 10_000
  while ((acked < published || received.some((count) => count < published)) && performance.now() < deadline) await sleep(20)
  const lost = received.reduce((sum, count) => sum + Math.max(0, published - count), 0)
  for (const ws of [...sockets, publisher]) ws.terminate()
  latencies.sort((a, b) => a - b)
  process.stdout.write(
    JSON.stringify({
      shards,
      subscribers,
      perShard: Array.from({ length: shards }, (_, s) => names.filter((name) => shardOf(`user:${name}`, shards) === s).length),
      published,
      deliveriesPerSecond: (delivered / elapsed) * 1000,
      publishesPerSecond: (publishedDuring / elapsed) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      expected: published * subscribers,
      received: received.reduce((sum, count) => sum + count, 0),
      lost,
      gaps,
      duplicates,
      setupPerSecond: (subscribers / setupMs) * 1000,
      loadCpu: (used.user + used.system) / 1000 / elapsed,
      // The server's CPU (every workerd process of the run) per delivery and per publish, over the measured window.
      serverCpuPerDeliveryUs: delivered > 0 ? (serverCpu * 1e6) / delivered : null,
      serverCpuPerPublishMs: publishedDuring > 0 ? (serverCpu * 1e3) / publishedDuring : null,
    }),
  )
  process.exit(0)
}

await main()
