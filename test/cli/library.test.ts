import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isRegistryModule, LIBRARY_ROOT, loaderSource, META_MODULE, PACKAGE_ROOT, REGISTRY_MODULE } from '../../src/cli/library'
import { ROOT } from './support'

describe('the library modules the CLI bundles', () => {
  it('are found from the CLI module itself: src/ when it runs from source', () => {
    expect(join(PACKAGE_ROOT, '/')).toBe(ROOT)
    expect(LIBRARY_ROOT).toBe(join(ROOT, 'src'))
    for (const file of [META_MODULE, REGISTRY_MODULE]) expect(existsSync(file), file).toBe(true)
  })

  it('are what the loader module imports after the entry', () => {
    const source = loaderSource('/app/worker.ts')
    expect(source.split('\n')).toStrictEqual([
      'import "/app/worker.ts"',
      `export { describeChannels, toAsyncAPI, stableStringify } from ${JSON.stringify(META_MODULE)}`,
      `export { registry } from ${JSON.stringify(REGISTRY_MODULE)}`,
    ])
  })

  it('tells a copy of the registry module among bundle inputs, whatever the path separator', () => {
    expect(isRegistryModule('src/core/registry.ts')).toBe(true)
    expect(isRegistryModule('node_modules/pikku-durable-channels/src/core/registry.ts')).toBe(true)
    expect(isRegistryModule('..\\lib\\src\\core\\registry.ts')).toBe(true)
    expect(isRegistryModule('src/core/registry.test.ts')).toBe(false)
    expect(isRegistryModule('app/core/registry.ts')).toBe(false)
  })
})
