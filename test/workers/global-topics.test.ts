import { env } from 'cloudflare:workers'
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { coordinatorName, instanceName } from '../../src/cloudflare/addressing'
import { MAX_DELIVERY_FAILURES } from '../../src/cloudflare/global-topics/coordinator'
import { Renewals } from '../../src/cloudflare/global-topics/renewals'
import { SerialByKey } from '../../src/cloudflare/global-topics/serial-by-key'
import { eventually, TestSocket } from './support/test-socket'

const room = () => `/relay/r${crypto.randomUUID().slice(0, 8)}`

async function join(path: string) {
  return (await TestSocket.join(path)).socket
}

/** The coordinator of one of relay's topics (each test has a topic of its own). */
const coordinatorOf = (topic: string) => env.CHANNELS.getByName(coordinatorName('relay', topic))
/** The object behind a relay instance, with the fixture's switches. */
const instanceAt = (path: string) => env.CHANNELS.getByName(instanceName('relay', path))

/** The coordinator's failure count for an instance, from its SQLite; undefined when it is not registered. */
function failuresOf(topic: string, path: string): Promise<number | undefined> {
  return runInDurableObject(coordinatorOf(topic), (_o, state) =>
    state.storage.sql.exec<{ failures: number }>('SELECT failures FROM pikku_topic_instances WHERE instance = ?', instanceName('relay', path)).toArray()[0]?.failures,
  )
}

/** Publishes straight to the coordinator (as `publisher().broadcast` does). */
const broadcast = (topic: string, data: unknown) => coordinatorOf(topic).topicFanOut('relay', topic, data)

/** Broadcasts `times` events to an instance whose deliveries fail, waiting for each failure to be counted. */
async function failTimes(topic: string, path: string, times: number) {
  for (let i = 0; i < times; i++) {
    const before = (await failuresOf(topic, path)) ?? 0
    await broadcast(topic, `lost ${i}`)
    // The last failure drops it: no count left to read.
    await eventually(async () => ((await failuresOf(topic, path)) ?? 0) !== before)
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('a coordinator drops an instance whose deliveries keep failing', () => {
  it(`after ${MAX_DELIVERY_FAILURES} failures in a row, not before, and a success in between starts the count over`, async () => {
    const path = room()
    const listener = await join(path)
    await listener.call('$subscribe', { topic: 'drop' })
    await instanceAt(path).failDeliveries(true)

    await failTimes('drop', path, MAX_DELIVERY_FAILURES - 1)
    expect(await failuresOf('drop', path)).toBe(MAX_DELIVERY_FAILURES - 1)

    // One success clears the count.
    await instanceAt(path).failDeliveries(false)
    await broadcast('drop', 'arrives')
    expect(await listener.next()).toMatchObject({ type: 'event', topic: 'drop', data: 'arrives' })
    await eventually(async () => (await failuresOf('drop', path)) === 0)

    const warnings = vi.spyOn(console, 'warn')
    await instanceAt(path).failDeliveries(true)
    await failTimes('drop', path, MAX_DELIVERY_FAILURES - 1)
    expect(await coordinatorOf('drop').topicInstances()).toContain(instanceName('relay', path))
    await failTimes('drop', path, 1)
    expect(await coordinatorOf('drop').topicInstances()).not.toContain(instanceName('relay', path))

    // One line says what was dropped, and why.
    const dropped = warnings.mock.calls.map(([line]) => JSON.parse(String(line))).find((entry) => entry.message === 'channel.global_instance_dropped')
    expect(dropped).toMatchObject({ channel: 'relay', topic: 'drop', instance: instanceName('relay', path), failures: MAX_DELIVERY_FAILURES })
    expect(dropped.why).toMatch(/in a row failed/)
    await instanceAt(path).failDeliveries(false)
  })

  it('the count is in the coordinator’s SQLite: it survives the coordinator’s eviction', async () => {
    // Unreachable by its binding, so no call leaves the coordinator (evicting one whose calls to another object failed hangs in the test pool).
    const dead = '/relay/unreachable'
    await coordinatorOf('evict').topicRegister(instanceName('relay', dead), 'NO_SUCH_BINDING')
    await failTimes('evict', dead, 3)

    await evictDurableObject(coordinatorOf('evict'))
    expect(await failuresOf('evict', dead)).toBe(3)
    await failTimes('evict', dead, MAX_DELIVERY_FAILURES - 3)
    expect(await coordinatorOf('evict').topicInstances()).not.toContain(instanceName('relay', dead))
  })

  it('registering again starts the count over', async () => {
    const dead = '/relay/unreachable'
    await coordinatorOf('evict').topicRegister(instanceName('relay', dead), 'NO_SUCH_BINDING')
    await failTimes('evict', dead, 2)
    await coordinatorOf('evict').topicRegister(instanceName('relay', dead), 'NO_SUCH_BINDING')
    expect(await failuresOf('evict', dead)).toBe(0)
    await coordinatorOf('evict').topicUnregister(instanceName('relay', dead))
  })

  it('a table from before failures were counted gets the column', async () => {
    const stub = env.CHANNELS.getByName(coordinatorName('relay', 'migrated'))
    await runInDurableObject(stub, (_o, state) => {
      state.storage.sql.exec('CREATE TABLE pikku_topic_instances (instance TEXT PRIMARY KEY, binding TEXT NOT NULL) WITHOUT ROWID')
      state.storage.sql.exec("INSERT INTO pikku_topic_instances VALUES ('relay:/relay/old', 'CHANNELS')")
    })
    expect(await stub.topicInstances()).toStrictEqual(['relay:/relay/old'])
    const rows = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec('SELECT instance, failures FROM pikku_topic_instances').toArray())
    expect(rows).toStrictEqual([{ instance: 'relay:/relay/old', failures: 0 }])
  })
})

describe('a dropped instance that still has subscribers comes back', () => {
  /** Joins a subscriber to `topic` in a new room, and has the coordinator drop that instance. */
  async function dropped(topic: string) {
    const path = room()
    const listener = await join(path)
    await listener.call('$subscribe', { topic })
    await instanceAt(path).failDeliveries(true)
    await failTimes(topic, path, MAX_DELIVERY_FAILURES)
    expect(await failuresOf(topic, path)).toBeUndefined()
    await instanceAt(path).failDeliveries(false)
    return { path, listener }
  }

  it('at its next new subscriber', async () => {
    const { path, listener } = await dropped('renew')
    await broadcast('renew', 'missed')
    await listener.expectSilence()

    const second = await join(path)
    await second.call('$subscribe', { topic: 'renew' })
    await eventually(async () => (await failuresOf('renew', path)) === 0)
    await broadcast('renew', 'back')
    expect(await listener.next()).toMatchObject({ topic: 'renew', data: 'back' })
    expect(await second.next()).toMatchObject({ topic: 'renew', data: 'back' })
  })

  it('at its next publish to a topic its subscribers hold, which its own subscribers then get', async () => {
    const { path, listener } = await dropped('publish')
    const speaker = await join(path)
    expect(await speaker.call('pub', { topic: 'publish', data: 'from here' })).toMatchObject({ type: 'reply' })
    expect(await listener.next()).toMatchObject({ topic: 'publish', data: 'from here' })
    expect(await failuresOf('publish', path)).toBe(0)
  })

  it('and an instance that lost every subscriber registers at its next first one, as always', async () => {
    const { path, listener } = await dropped('renew')
    listener.ws.close(1000)
    await listener.closeInfo()
    const again = await join(path)
    await again.call('$subscribe', { topic: 'renew' })
    expect(await coordinatorOf('renew').topicInstances()).toContain(instanceName('relay', path))
  })
})

describe('per-publisher order through the coordinator', () => {
  it('a slow delivery is not overtaken by the ones after it (one delivery at a time per instance)', async () => {
    const [here, there] = [room(), room()]
    const speaker = await join(here)
    const listener = await join(there)
    await listener.call('$subscribe', { topic: 'order' })
    // The first delivery to `there` waits: without a queue per instance the next ones would land first.
    await instanceAt(there).delayNextDelivery(150)
    for (let i = 0; i < 10; i++) await speaker.call('pub', { topic: 'order', data: i })
    const got: unknown[] = []
    for (let i = 0; i < 10; i++) got.push(((await listener.next()) as Record<string, unknown>).data)
    expect(got).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('a failing instance delays no other one', async () => {
    const [bad, good] = [room(), room()]
    const badListener = await join(bad)
    const goodListener = await join(good)
    await badListener.call('$subscribe', { topic: 'failing' })
    await goodListener.call('$subscribe', { topic: 'failing' })
    await instanceAt(bad).failDeliveries(true)
    await instanceAt(bad).delayNextDelivery(0)
    for (let i = 0; i < 3; i++) await broadcast('failing', i)
    for (let i = 0; i < 3; i++) expect(((await goodListener.next()) as Record<string, unknown>).data).toBe(i)
    await instanceAt(bad).failDeliveries(false)
  })
})

describe('the pieces', () => {
  it('SerialByKey runs one key’s tasks in order and other keys beside them', async () => {
    const queues = new SerialByKey()
    const seen: string[] = []
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    const slow = queues.run('a', async () => {
      await wait(50)
      seen.push('a1')
    })
    const fast = queues.run('a', async () => {
      seen.push('a2')
    })
    const other = queues.run('b', async () => {
      seen.push('b1')
    })
    await Promise.all([slow, fast, other])
    expect(seen).toStrictEqual(['b1', 'a1', 'a2'])
  })

  it('Renewals make one call in flight and at most one after it; a cancel drops the one after', async () => {
    const sent: string[] = []
    let release = () => {}
    const renewals = new Renewals(
      (key) => {
        sent.push(key)
        return new Promise<void>((resolve) => (release = resolve))
      },
      () => {},
    )
    for (let i = 0; i < 5; i++) renewals.request('k')
    expect(sent).toStrictEqual(['k'])
    release()
    await eventually(() => sent.length === 2)
    release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(sent).toStrictEqual(['k', 'k'])

    renewals.request('k')
    renewals.request('k')
    renewals.cancel('k')
    release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(sent).toStrictEqual(['k', 'k', 'k'])
  })
})
