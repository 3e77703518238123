import { existsSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
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
    // As esbuild's metafile names it from the repository root, e.g. src/core/registry.ts.
    const input = relative(ROOT, REGISTRY_MODULE).split(sep).join('/')
    expect(isRegistryModule(input)).toBe(true)
    expect(isRegistryModule(`node_modules/pikku-durable-channels/${input}`)).toBe(true)
    expect(isRegistryModule(`..\\lib\\${input.replaceAll('/', '\\')}`)).toBe(true)
    expect(isRegistryModule(input.replace(/\.ts$/, '.test.ts'))).toBe(false)
    expect(isRegistryModule(input.replace(/^src\//, 'app/'))).toBe(false)
  })
})
