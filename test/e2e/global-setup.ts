import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { DevServer } from './support/dev-server'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the shared `wrangler dev`. */
    baseUrl: string
    /** File that collects everything the shared `wrangler dev` prints. */
    devServerLog: string
  }
}

/** One `wrangler dev` with a fresh persist dir for the whole e2e run; both are gone after it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'pikku-e2e-'))
  const logFile = join(root, 'wrangler.log')
  const server = new DevServer({ persistTo: join(root, 'state'), logFile })
  try {
    await server.start()
  } catch (error) {
    await rm(root, { recursive: true, force: true })
    throw error
  }
  project.provide('baseUrl', server.baseUrl)
  project.provide('devServerLog', logFile)
  return async () => {
    await server.stop()
    await rm(root, { recursive: true, force: true })
  }
}
