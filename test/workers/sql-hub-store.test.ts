import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { SqlHubStore } from '../../src/cloudflare/sql-hub-store'
import { hubStoreContract } from '../core/event-hub/hub-store.contract'

// The HubStore contract, against the store production uses, in a fresh object's SQLite each time.
hubStoreContract('SqlHubStore', (body) =>
  runInDurableObject(env.CHANNELS.getByName(`store-contract:${crypto.randomUUID()}`), async (_object, state) => {
    await body(new SqlHubStore(state.storage.sql))
  }),
)
