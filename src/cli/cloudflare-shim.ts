// `cloudflare:workers` does not exist in Node: a stand-in just big enough to import a Worker.
import type { Plugin } from 'esbuild'

const NAMESPACE = 'pikku-cloudflare-shim'

/** Classes a Worker may extend at import time; nothing here runs a request. */
const SHIM = [
  'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
  'export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
  'export class WorkflowEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env } }',
  'export class RpcTarget {}',
  'export const env = {}',
].join('\n')

export const cloudflareShim: Plugin = {
  name: 'pikku-cloudflare-workers-shim',
  setup(build) {
    build.onResolve({ filter: /^cloudflare:workers$/ }, (args) => ({ path: args.path, namespace: NAMESPACE }))
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({ loader: 'js', contents: SHIM }))
  },
}
