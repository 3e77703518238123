import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { PING_FRAME } from '../../src/core/protocol/actions'
import { pikkuInputs, stampedTypes } from './fixture/pikku.channel'
import { servicesBuilt } from './fixture/services'
import { constructions } from './fixture/worker'
import { openPikku } from './support/pikku-socket'
import { instance, TestSocket } from './support/test-socket'

// Channels wired with `protocol: 'pikku'`, driven by a client that behaves
// like Pikku's own (test/core/protocol/pikku-client.ts): flat sends, no ids,
// frames routed by `frame[routingKey]`, EventHub frames filtered by `topic`.

const room = () => `p${crypto.randomUUID().slice(0, 8)}`

/** Opens /pikku/<room> and waits for onConnect's result, the first frame. */
async function join(path: string) {
  const opened = await openPikku(path)
  const hello = await opened.client.frameAt(0)
  return { ...opened, hello, route: opened.client.getRoute('action') }
}

describe('Pikku wire mode over a real socket', () => {
  it("opens with onConnect's result as the first frame, as it is: no welcome", async () => {
    const r = room()
    const { client, hello } = await join(`/pikku/${r}`)
    expect(hello).toStrictEqual({ hello: r, channelId: expect.any(String) })
    expect(client.received).toHaveLength(1)
  })

  it('takes a flat frame whose `id` is input, and answers flat, echoing the routing key', async () => {
    const { route, hello } = await join(`/pikku/${room()}`)
    const answer = route.next('echo')
    route.send('echo', { id: 'not-a-request-id', text: 'hi' })
    expect(await answer).toStrictEqual({ id: 'not-a-request-id', text: 'hi', action: 'echo' })
    expect(pikkuInputs.filter((entry) => entry.channelId === hello.channelId)).toStrictEqual([
      { channelId: hello.channelId, handler: 'echo', data: { id: 'not-a-request-id', text: 'hi' } },
    ])
  })

  it('answers an object result flat, a primitive under `result`, undefined as the key alone', async () => {
    const { route } = await join(`/pikku/${room()}`)
    const answers = Promise.all([route.next('echo'), route.next('count'), route.next('nothing')])
    route.send('echo', { ok: true })
    route.send('count', {})
    route.send('nothing', {})
    expect(await answers).toStrictEqual([{ ok: true, action: 'echo' }, { action: 'count', result: 3 }, { action: 'nothing' }])
  })

  it('delivers a publish to another connection as the bare payload, found by subscribeToEventHub', async () => {
    const path = `/pikku/${room()}`
    const listener = await join(path)
    const speaker = await join(path)
    const subscribed = listener.route.next('sub')
    listener.route.send('sub', { topic: 'chat:message' })
    expect(await subscribed).toStrictEqual({ action: 'sub' })

    const event = listener.client.nextEvent('chat:message')
    const published = speaker.route.next('pub')
    speaker.route.send('pub', { topic: 'chat:message', payload: { topic: 'chat:message', text: 'hello' }, skipMe: true })
    expect(await event).toStrictEqual({ topic: 'chat:message', text: 'hello' })
    expect(await published).toStrictEqual({ seq: expect.any(Number), delivered: 1, action: 'pub' })
    expect(listener.client.received.at(-1)).toStrictEqual({ topic: 'chat:message', text: 'hello' })
  })

  it('hands text that is not JSON to onMessage as the string, and a frame naming no wired action whole', async () => {
    const { ws, client, hello } = await join(`/pikku/${room()}`)
    const heard = client.nextFrame()
    ws.send('just some text')
    expect(await heard).toStrictEqual({ heard: 'just some text' })
    client.getRoute('action').send('unwired', { x: 1 })
    const echoed = client.getRoute('action').next('echo')
    client.getRoute('action').send('echo', {})
    await echoed
    expect(pikkuInputs.filter((entry) => entry.channelId === hello.channelId && entry.handler === 'onMessage').map((entry) => entry.data)).toStrictEqual([
      'just some text',
      { action: 'unwired', x: 1 },
    ])
  })

  it("routes errors to the action's subscribers, hiding internals", async () => {
    const { route, client } = await join(`/pikku/${room()}`)
    const denied = route.next('deny')
    route.send('deny', {})
    expect(await denied).toStrictEqual({ action: 'deny', error: { code: 'FORBIDDEN', message: 'Not for you' } })
    const crashed = route.next('boom')
    route.send('boom', {})
    expect(await crashed).toStrictEqual({ action: 'boom', error: { code: 'INTERNAL', message: 'Internal error' } })
    expect(JSON.stringify(client.received)).not.toContain('secret detail')
  })

  it('answers auth and validation errors in the same shape', async () => {
    const { route } = await join(`/pikku/${room()}`)
    const unauthenticated = route.next('secret')
    route.send('secret', {})
    expect(await unauthenticated).toMatchObject({ action: 'secret', error: { code: 'UNAUTHENTICATED' } })
    const invalid = route.next('strict')
    route.send('strict', { n: 'two' })
    expect(await invalid).toMatchObject({ action: 'strict', error: { code: 'INVALID_INPUT', issues: [{ path: ['n'] }] } })
  })

  it('echoes a custom routing key under its own name, through channel middleware', async () => {
    const { client } = await openPikku(`/pikku-op/${room()}`)
    const op = client.getRoute('op')
    const sum = op.next('add')
    op.send('add', { a: 2, b: 3 })
    expect(await sum).toStrictEqual({ op: 'add', result: 5, sentAt: 'stamped' })
    const shout = client.nextFrame()
    const done = op.next('shout')
    op.send('shout', { text: 'hey' })
    expect(await shout).toStrictEqual({ shouted: 'HEY', sentAt: 'stamped' })
    expect(await done).toStrictEqual({ op: 'shout', sentAt: 'stamped' })
    const invalid = op.next('add')
    op.send('add', { a: 'x' })
    expect(await invalid).toMatchObject({ op: 'add', error: { code: 'INVALID_INPUT' } })
    expect(stampedTypes).toContain('reply')
    expect(stampedTypes).toContain('message')
  })
})

describe('Pikku wire mode after eviction', () => {
  it('keeps the mode, the session and the subscriptions: flat results and raw events after a wake', async () => {
    const r = room()
    const path = `/pikku/${r}`
    const listener = await join(path)
    const speaker = await join(path)
    const loggedIn = listener.route.next('login')
    listener.route.send('login', { user: 'ada' })
    expect(await loggedIn).toStrictEqual({ action: 'login' })
    const subscribed = listener.route.next('sub')
    listener.route.send('sub', { topic: 'alerts:*' })
    await subscribed

    const before = constructions.count
    await evictDurableObject(instance('pikku', path))

    const secret = listener.route.next('secret')
    listener.route.send('secret', {})
    expect(await secret).toStrictEqual({ session: { user: 'ada' }, action: 'secret' })
    expect(constructions.count).toBe(before + 1)

    const event = listener.client.nextEvent('alerts:fire')
    speaker.route.send('pub', { topic: 'alerts:fire', payload: { topic: 'alerts:fire', level: 3 } })
    expect(await event).toStrictEqual({ topic: 'alerts:fire', level: 3 })

    const heard = listener.client.nextFrame()
    listener.ws.send('still plain text')
    expect(await heard).toStrictEqual({ heard: 'still plain text' })
    const count = speaker.route.next('count')
    speaker.route.send('count', {})
    expect(await count).toStrictEqual({ action: 'count', result: 3 })
  })

  it('answers the keepalive without waking the object, with the same pong as v1', async () => {
    const path = `/pikku/${room()}`
    const { ws, client, route } = await join(path)
    await evictDurableObject(instance('pikku', path))
    const constructed = constructions.count
    const built = servicesBuilt.count
    const pong = client.nextFrame()
    ws.send(PING_FRAME)
    expect(await pong).toStrictEqual({ type: 'pong' })
    expect(constructions.count).toBe(constructed)
    expect(servicesBuilt.count).toBe(built)
    const answer = route.next('count')
    route.send('count', {})
    expect(await answer).toStrictEqual({ action: 'count', result: 3 })
    expect(constructions.count).toBe(constructed + 1)
  })
})

describe('a v1 channel in the same Worker', () => {
  it('still speaks protocol v1', async () => {
    const { socket, welcome } = await TestSocket.join(`/lab/${room()}`)
    expect(welcome).toMatchObject({ type: 'welcome', channelId: expect.any(String), data: { hello: expect.any(String) } })
    await socket.next()
    expect(await socket.call('echo', { x: 1 }, 'e1')).toStrictEqual({ type: 'reply', action: 'echo', id: 'e1', data: { x: 1 } })
  })
})
