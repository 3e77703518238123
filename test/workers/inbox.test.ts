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
    const results = ['a', 'b', 'c'].map((name) => inbox.run(name, () => (ran.push(name), turns.push(turn), name.toUpperCase())))
    expect(ran).toEqual([]) // nothing runs in the event that queued it
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C'])
    clearInterval(ticking)
    expect(ran).toEqual(['a', 'b', 'c'])
    expect(new Set(turns).size).toBe(1)
  })

  it('passes a task failure to its own caller only, and keeps going', async () => {
    const inbox = new Inbox(() => true)
    const failing = inbox.run('ws', () => {
      throw new Error('bad frame')
    })
    const rejecting = inbox.run('ws', () => Promise.reject(new Error('handler')))
    const fine = inbox.run('ws', () => 1)
    await expect(failing).rejects.toThrow('bad frame')
    await expect(rejecting).rejects.toThrow('handler')
    expect(await fine).toBe(1)
    // A new burst after that one is its own batch.
    expect(await inbox.run('ws', () => 2)).toBe(2)
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
    await Promise.all([inbox.run('ws', () => ran.push('a')), inbox.run('ws', () => ran.push('b'))])
    expect(ran).toEqual(['a', 'b'])
    expect(timerFired).toBe(false) // no macrotask passed: they ran in the turn that queued them
    wrote = true
    const later = inbox.run('ws', () => ran.push('c'))
    expect(ran).toEqual(['a', 'b'])
    await later
    expect(timerFired).toBe(true)
    expect(ran).toEqual(['a', 'b', 'c'])
  })

  it("runs one socket's events one after another, in the same turn while they need only microtasks", async () => {
    const inbox = new Inbox(() => true)
    const log: string[] = []
    let turn = 0
    const ticking = setInterval(() => turn++, 0)
    const subscribe = inbox.run('ws', async () => {
      log.push(`subscribe starts ${turn}`)
      for (let i = 0; i < 5; i++) await Promise.resolve() // validation, auth, middleware
      log.push(`subscribe done ${turn}`)
    })
    const create = inbox.run('ws', () => log.push(`create ${turn}`))
    const other = inbox.run('other', () => log.push(`other socket ${turn}`))
    await Promise.all([subscribe, create, other])
    clearInterval(ticking)
    const first = log[0]!.split(' ').pop()
    // The other socket's event starts in arrival order, without waiting; this socket's second waits for its first.
    expect(log).toEqual([`subscribe starts ${first}`, `other socket ${first}`, `subscribe done ${first}`, `create ${first}`])
  })

  it("lets a socket's next event start at the next macrotask when the one before waits on real I/O", async () => {
    const inbox = new Inbox(() => true)
    const log: string[] = []
    let release!: () => void
    const slow = inbox.run('ws', () => new Promise<void>((resolve) => (release = resolve)).then(() => log.push('slow done')))
    const next = inbox.run('ws', () => log.push('next'))
    await next
    expect(log).toEqual(['next'])
    release()
    await slow
    expect(log).toEqual(['next', 'slow done'])
  })
})
