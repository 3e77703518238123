import { describe, expect, it } from 'vitest'
import { pathOf, urlReachesRoute } from '../../src/client/route-path'

describe('urlReachesRoute', () => {
  it('matches a parameter against one non-empty segment, static segments exactly, the query aside', () => {
    expect(urlReachesRoute('wss://host/chat/general?name=ada', '/chat/:room')).toBe(true)
    expect(urlReachesRoute('wss://host/chat/general/thread-1', '/chat/:room/:thread')).toBe(true)
    expect(urlReachesRoute('wss://host/todos', '/todos')).toBe(true)
    expect(urlReachesRoute('wss://host/', '/')).toBe(true)
  })

  it('compares the whole path: no prefix or extra segment, no other static segment', () => {
    expect(urlReachesRoute('wss://host/rt/chat/general', '/chat/:room')).toBe(false)
    expect(urlReachesRoute('wss://host/chat', '/chat/:room')).toBe(false)
    expect(urlReachesRoute('wss://host/chat/general/extra', '/chat/:room')).toBe(false)
    expect(urlReachesRoute('wss://host/todos', '/chat/:room')).toBe(false)
    expect(urlReachesRoute('wss://host/chat/general', '/todos')).toBe(false)
  })

  it('is false for a URL that does not parse', () => {
    expect(urlReachesRoute('not a url', '/chat/:room')).toBe(false)
    expect(pathOf('not a url')).toBe('not a url')
    expect(pathOf('wss://host/chat/x?y=1')).toBe('/chat/x')
  })
})
