import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { readLifecycle } from './fixture/lifecycle-log'
import { instance, TestSocket } from './support/test-socket'

// Sockets that die without a close (a half-open connection) are found by an alarm that
// runs only while there are connections: silent past the channel's limit (300 ms on
// /pulse), with no keepalive answered by the platform and no message, they close with
// 4408 and run onDisconnect once. Keepalives answered without waking count as life.

const room = () => `p${crypto.randomUUID().slice(0, 8)}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const alarmAt = (path: string) => runInDurableObject(instance('pulse', path), (_object, state) => state.storage.getAlarm())
const disconnects = (path: string) =>
  runInDurableObject(instance('pulse', path), (_object, state) => readLifecycle(state.storage.sql).filter((e) => e.kind === 'disconnect').map((e) => e.channelId))

describe('liveness', () => {
  it('closes a silent socket with 4408 and runs onDisconnect once; one that sends keepalives or messages stays, across an eviction', async () => {
    const path = `/pulse/${room()}`
    const silent = await TestSocket.join(path)
    const pinging = await TestSocket.join(path)
    const talking = await TestSocket.join(path)
    expect(await alarmAt(path)).not.toBeNull()

    // Hibernation wipes memory: what the check reads must come from the attachments and the platform.
    await evictDurableObject(instance('pulse', path))
    for (let i = 0; i < 5; i++) {
      pinging.socket.send('{"action":"$ping"}') // answered by the platform, without waking the object
      talking.socket.send({ action: 'hello', id: i })
      await sleep(100)
    }
    expect(await runDurableObjectAlarm(instance('pulse', path))).toBe(true)

    expect(await silent.socket.closeInfo()).toMatchObject({ code: 4408, reason: 'No keepalive or message for 300 ms' })
    expect(await disconnects(path)).toStrictEqual([silent.welcome.channelId])
    // The others are open, and the alarm is set again for them.
    expect((await talking.socket.call('hello')).data).toBe('hi')
    expect(await alarmAt(path)).not.toBeNull()

    // A second check, once they too fall silent, closes them; then no alarm is left.
    await sleep(400)
    expect(await runDurableObjectAlarm(instance('pulse', path))).toBe(true)
    expect((await pinging.socket.closeInfo()).code).toBe(4408)
    expect((await talking.socket.closeInfo()).code).toBe(4408)
    expect((await disconnects(path)).sort()).toStrictEqual([silent.welcome.channelId, pinging.welcome.channelId, talking.welcome.channelId].sort())
    expect(await alarmAt(path)).toBeNull()
  })

  it('sets no alarm for a channel with liveness: false', async () => {
    const path = `/flood/${room()}`
    await TestSocket.join(path)
    expect(await runInDurableObject(instance('flood', path), (_object, state) => state.storage.getAlarm())).toBeNull()
  })
})
