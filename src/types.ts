// `pikku-durable-channels/types`: the types of the core and the client, and no code. A browser
// project types its client from here (or from `typeof` a wiring on `./core`) without Cloudflare's types.
export type * from './core/index'
export type * from './client/index'
