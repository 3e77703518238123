import { describe, expect, it } from 'vitest'
import { WiringError } from '../../../src/core/errors'
import { compileRoute, instancePath } from '../../../src/core/wiring/route'

/** The WiringError a bad pattern throws. */
function rejection(pattern: unknown): WiringError {
  try {
    compileRoute(pattern)
  } catch (error) {
    expect(error).toBeInstanceOf(WiringError)
    return error as WiringError
  }
  throw new Error(`compileRoute(${String(pattern)}) did not throw`)
}

describe('compileRoute', () => {
  it('accepts the root route', () => {
    expect(compileRoute('/')).toMatchObject({ pattern: '/', params: [], shape: '/', segments: [] })
  })

  it('accepts static segments and parameters', () => {
    expect(compileRoute('/chat/:room')).toMatchObject({
      params: ['room'],
      shape: '/chat/:',
      segments: [
        { kind: 'static', value: 'chat' },
        { kind: 'param', name: 'room' },
      ],
    })
    expect(compileRoute('/a/:x/b/:y')).toMatchObject({ params: ['x', 'y'], shape: '/a/:/b/:' })
  })

  it.each([
    ['chat/:room', 'must start with "/"'],
    ['/chat/', 'must not end with "/"'],
    ['/chat//room', 'empty segment ("//")'],
    ['/chat/:', '":" is not a valid parameter name'],
    ['/chat/:1x', '":1x" is not a valid parameter name'],
    ['/chat/:room-id', '":room-id" is not a valid parameter name'],
    ['/a/:x/b/:x', 'parameter ":x" appears twice'],
    ['/files/*', 'segment "*" has characters a route cannot hold'],
    ['/chat?room=1', 'query strings and fragments are not part of a route'],
    ['/chat#top', 'query strings and fragments are not part of a route'],
    ['/caf%C3%A9', 'segment "caf%C3%A9" has characters a route cannot hold'],
  ])('rejects %s', (pattern, problem) => {
    const error = rejection(pattern)
    expect(error.message).toContain(`route "${pattern}" does not parse`)
    expect(error.message).toContain(problem)
  })

  it.each([
    [undefined, 'undefined'],
    [42, 'number'],
    [null, 'object'],
  ])('rejects a route that is not a string (%s)', (pattern, type) => {
    expect(rejection(pattern).message).toBe(`route must be a string like "/chat/:room", got ${type}`)
  })

  it('gives routes that differ only in parameter names the same shape', () => {
    expect(compileRoute('/chat/:room').shape).toBe(compileRoute('/chat/:id').shape)
    expect(compileRoute('/chat/:room').shape).not.toBe(compileRoute('/chat/lobby').shape)
  })

  it('ranks a static segment above a parameter', () => {
    expect(compileRoute('/chat/lobby').specificity).toBeGreaterThan(compileRoute('/chat/:room').specificity)
  })

  it('weighs earlier segments more', () => {
    // Both match /a/b/c: the one static in the first segment wins.
    expect(compileRoute('/a/:x/c').specificity).toBeGreaterThan(compileRoute('/:y/b/c').specificity)
  })
})

describe('instancePath', () => {
  const chat = compileRoute('/chat/:room')

  it('fills in the parameters', () => {
    expect(instancePath(chat, { room: 'general' })).toBe('/chat/general')
    expect(instancePath(compileRoute('/a/:x/b/:y'), { y: '2', x: '1' })).toBe('/a/1/b/2')
    expect(instancePath(compileRoute('/'), {})).toBe('/')
  })

  it('percent-encodes values one way only', () => {
    expect(instancePath(chat, { room: 'café' })).toBe('/chat/caf%C3%A9')
    expect(instancePath(chat, { room: decodeURIComponent('caf%c3%a9') })).toBe('/chat/caf%C3%A9')
    expect(instancePath(chat, { room: 'a b/c' })).toBe('/chat/a%20b%2Fc')
  })

  it('throws when a parameter is missing', () => {
    expect(() => instancePath(chat, {})).toThrow('missing parameter "room"')
  })
})
