import { describe, expect, it } from 'vitest'
import { MemoryHubStore } from '../../../src/core/event-hub/memory-hub-store'
import { hubStoreContract } from './hub-store.contract'

// The same contract runs against SqlHubStore in the Workers pool (test/workers/sql-hub-store.test.ts).
hubStoreContract('MemoryHubStore', async (body) => body(new MemoryHubStore()))

describe('MemoryHubStore', () => {
  it('lets an emptied topic leave its map, so memory follows the subscriptions', () => {
    const store = new MemoryHubStore()
    store.addSubscription('a', 'c1', 'event')
    store.removeSubscription('a', 'c1')
    expect(store.subscriptions.has('a')).toBe(false)
  })
})
