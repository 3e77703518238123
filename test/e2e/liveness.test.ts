import { spawn } from 'node:child_process'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client/channel-client'
import { DevServer, sleep } from './support/dev-server'
import { randomRoom, TestClient, wsUrl } from './support/client'

// Half-open sockets, found from both sides on a real wrangler dev: a client process frozen
// with SIGSTOP (its socket stays open, nothing answers) is closed by the server's liveness
// alarm and disconnected once; and a typed client whose server freezes finds out from its
// unanswered keepalive and reconnects once the server answers again.

type Rows = { connections: { channel_id: string; connects: number; disconnects: number }[] }

describe('liveness on wrangler dev', () => {
  const server = new DevServer({ config: 'test/faults/worker/wrangler.toml' })
  beforeAll(() => server.start(), 60_000)
  afterAll(() => server.dispose(), 30_000)

  it('closes the socket of a frozen client process and runs its onDisconnect once', { timeout: 60_000 }, async () => {
    const url = wsUrl(server.baseUrl, `/pulse/${randomRoom('pulse')}`)
    // A client in its own process: it connects, prints its welcome, then would answer nothing.
    const script = `const WebSocket = require('ws'); const ws = new WebSocket(${JSON.stringify(url)}); ws.on('message', (m) => console.log(m.toString()))`
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const welcome = await new Promise<{ channelId: string }>((resolve, reject) => {
        child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split('\n')[0]!)))
        child.once('exit', () => reject(new Error('the client process exited')))
      })
      child.kill('SIGSTOP')
      const { client: probe } = await TestClient.connect(url)
      const rowOf = async () => (await probe.call<Rows>('lifecycle')).connections.find((row) => row.channel_id === welcome.channelId)
      expect(await rowOf()).toMatchObject({ connects: 1, disconnects: 0 })
      // Silent for 1.5 s, checked every 0.5 s; the probe itself keeps talking, so it stays.
      const deadline = Date.now() + 10_000
      while ((await rowOf())?.disconnects !== 1 && Date.now() < deadline) await sleep(250)
      expect(await rowOf()).toMatchObject({ connects: 1, disconnects: 1 })
      await sleep(1_000)
      expect(await rowOf()).toMatchObject({ disconnects: 1 })
      await probe.close()
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a typed client whose server froze finds out from its keepalive and reconnects when the server answers again', { timeout: 60_000 }, async () => {
    const url = wsUrl(server.baseUrl, `/feed/${randomRoom('frozen')}`)
    const client = createClient(url, { WebSocket: WebSocket as never, keepaliveMs: 300, keepaliveTimeoutMs: 700, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } })
    const states: string[] = []
    client.onStateChange((state) => states.push(state))
    try {
      await client.ready()
      server.pause()
      const deadline = Date.now() + 5_000
      while (!states.includes('connecting') && Date.now() < deadline) await sleep(50)
      expect(states).toContain('connecting')
      server.resume()
      await client.ready()
      expect(client.state).toBe('open')
      expect(await client.send('audit')).toHaveProperty('total')
    } finally {
      server.resume()
      client.close()
    }
  })
})
