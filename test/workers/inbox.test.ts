import { describe, expect, it } from 'vitest'
import { Inbox } from '../../src/cloudflare/inbox'

// The object's inbox: while messages write, what arrives before the next macrotask runs together, in order, in one turn;
// while they write nothing, each runs at once.
describe('Inbox', () => {
  it('runs a burst in one later turn, in arrival order, each answering its own caller, while messages write', async () => {
    const inbox = new Inbox(() => true)
    const ran: string[] = []
    const turns: number[] = []
    let turn = 0
    const ticking = setInterval(() => turn++, 0)
    const results = ['a', 'b', 'c'].map((name) => inbox.run(() => (ran.push(name), turns.push(turn), name.toUpperCase())))
    expect(ran).toEqual([]) // nothing runs in the event that queued it
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C'])
    clearInterval(ticking)
    expect(ran).toEqual(['a', 'b', 'c'])
    expect(new Set(turns).size).toBe(1)
  })

  it('passes a task failure to its own caller only, and keeps going', async () => {
    const inbox = new Inbox(() => true)
    const failing = inbox.run(() => {
      throw new Error('bad frame')
    })
    const rejecting = inbox.run(() => Promise.reject(new Error('handler')))
    const fine = inbox.run(() => 1)
    await expect(failing).rejects.toThrow('bad frame')
    await expect(rejecting).rejects.toThrow('handler')
    expect(await fine).toBe(1)
    // A new burst after that one is its own batch.
    expect(await inbox.run(() => 2)).toBe(2)
  })

  it('runs each message at once, in this turn, while nothing was written; batches again after a write', async () => {
    let wrote = false
    const inbox = new Inbox(() => {
      const was = wrote
      wrote = false
      return was
    })
    const ran: string[] = []
    let timerFired = false
    setTimeout(() => (timerFired = true), 0)
    await Promise.all([inbox.run(() => ran.push('a')), inbox.run(() => ran.push('b'))])
    expect(ran).toEqual(['a', 'b'])
    expect(timerFired).toBe(false) // no macrotask passed: they ran in the turn that queued them
    wrote = true
    const later = inbox.run(() => ran.push('c'))
    expect(ran).toEqual(['a', 'b'])
    await later
    expect(timerFired).toBe(true)
    expect(ran).toEqual(['a', 'b', 'c'])
  })
})
