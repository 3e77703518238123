import { beforeEach, describe, expect, it } from 'vitest'
import { PikkuWebSocket } from '../../src/client/index'
import { appSocket, CONNECTING } from './support/app-socket'
import { fakeWebSocket } from './support/fake-websocket'
import type { clientFixtureChannel, clientFixtureKeyedChannel } from './support/fixture.channel'

// getRoute: one socket reaches one channel instance, and the face says so when it can tell.

const URL_ = 'wss://host/client-test-fixture/general?name=ada'
type Channels = { 'client-test-fixture': typeof clientFixtureChannel; 'client-test-fixture-keyed': typeof clientFixtureKeyedChannel }
const ROUTES = { 'client-test-fixture': '/client-test-fixture/:room', 'client-test-fixture-keyed': '/client-test-fixture-keyed/:room' }

let fake: ReturnType<typeof fakeWebSocket>

beforeEach(() => {
  fake = fakeWebSocket()
})

describe('getRoute', () => {
  it('returns the same route for the same name', () => {
    const pikku = new PikkuWebSocket<Channels>(appSocket(fake, URL_, CONNECTING), { routes: ROUTES })
    const route = pikku.getRoute('client-test-fixture')
    expect(pikku.getRoute('client-test-fixture')).toBe(route)
    expect(route.channel).toBe('client-test-fixture')
  })

  it('with routes, throws for a channel whose route the socket’s URL is not', () => {
    const ws = appSocket(fake, URL_, CONNECTING)
    const pikku = new PikkuWebSocket<Channels>(ws, { routes: ROUTES })
    expect(() => pikku.getRoute('client-test-fixture-keyed')).toThrow(
      'getRoute("client-test-fixture-keyed"): this socket is connected to /client-test-fixture/general, which is not channel "client-test-fixture-keyed"\'s route /client-test-fixture-keyed/:room',
    )
    expect(pikku.getRoute('client-test-fixture').channel).toBe('client-test-fixture')
  })

  it('with routes, throws for a name they do not list', () => {
    const pikku = new PikkuWebSocket<Channels>(appSocket(fake, URL_, CONNECTING), { routes: { 'client-test-fixture-keyed': '/client-test-fixture-keyed/:room' } })
    expect(() => pikku.getRoute('client-test-fixture')).toThrow('options.routes has no route for "client-test-fixture" (it has: client-test-fixture-keyed)')
  })

  it('without routes, takes the first name on trust and refuses any other after it', () => {
    const pikku = new PikkuWebSocket<Channels>(appSocket(fake, URL_, CONNECTING))
    const route = pikku.getRoute('client-test-fixture-keyed')
    expect(route.channel).toBe('client-test-fixture-keyed')
    expect(() => pikku.getRoute('client-test-fixture')).toThrow('this socket reaches one channel instance, already used as "client-test-fixture-keyed"')
  })
})
