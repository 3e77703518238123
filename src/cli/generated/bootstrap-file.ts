// pikku-bootstrap.gen.ts: one import that registers the services and every wiring.
import { relative } from 'node:path'
import { GENERATED_HEADER } from '../output-files'
import { posix } from '../project-files'
import type { ProjectSources } from '../project-sources'
import { importPath, quote } from './import-path'

/**
 * The services module first (its `pikkuServices(...)` registers the factory),
 * then every `*.channel.ts` under the entry's folder, in path order. Modules
 * run in import order, so a Worker that imports this file before calling
 * `channels()` has every channel wired.
 */
export function bootstrapFile(sources: ProjectSources): string {
  const { outDir, root, channelFiles } = sources
  const services = sources.appTypes.services?.file
  const lines = [
    GENERATED_HEADER,
    '//',
    `// Registers the app: its services module, then every *.channel.ts in the entry's folder (${posix(relative(outDir, root)) || '.'}), by path.`,
    '// The Worker imports this file before it calls channels().',
  ]
  if (services !== undefined) lines.push(`import ${quote(importPath(outDir, services))}`)
  for (const file of channelFiles) if (file !== services) lines.push(`import ${quote(importPath(outDir, file))}`)
  if (services === undefined && channelFiles.length === 0) lines.push('// (no services module and no *.channel.ts found)')
  lines.push('', 'export {}', '')
  return lines.join('\n')
}
