import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bootstrapFile } from '../../src/cli/generated/bootstrap-file'
import { projectFiles } from '../../src/cli/project-files'
import { scanProject } from '../../src/cli/project-sources'
import { cleanup, tempDir } from './support'

afterAll(cleanup)

/** A project tree: channel files in folders, an ignored one, node_modules, the output folder, a dot-folder. */
function tree(git: boolean): string {
  const root = tempDir('pikku-bootstrap-')
  const files: Record<string, string> = {
    'index.ts': "import './.pikku/pikku-bootstrap.gen.js'\n",
    'services.ts': 'export const createServices = pikkuServices(() => ({}))\n',
    'b.channel.ts': '',
    'a/z.channel.ts': '',
    'a/b.channel.ts': '',
    'a/b.ts': '',
    'a/notes.channel.tsx': '',
    'Z.channel.ts': '',
    'ignored/x.channel.ts': '',
    'node_modules/pkg/n.channel.ts': '',
    '.pikku/pikku-types.gen.ts': '',
    '.hidden/h.channel.ts': '',
    '.gitignore': 'ignored/\n',
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  if (git) expect(spawnSync('git', ['init', '-q'], { cwd: root }).status).toBe(0)
  return root
}

const channelFiles = async (root: string) => (await scanProject(join(root, 'index.ts'), join(root, '.pikku'), root)).channelFiles.map((file) => relative(root, file))

describe('the bootstrap file list', () => {
  it('in a git work tree: every *.channel.ts git does not ignore, by path in code-unit order, without node_modules and the output folder', async () => {
    const root = tree(true)
    expect(projectFiles(root).source).toBe('git')
    expect(await channelFiles(root)).toStrictEqual(['.hidden/h.channel.ts', 'Z.channel.ts', 'a/b.channel.ts', 'a/z.channel.ts', 'b.channel.ts'])
  })

  it('outside git: dot-folders are skipped instead, and nothing else is known to be ignored', async () => {
    const root = tree(false)
    expect(projectFiles(root).source).toBe('walk')
    expect(await channelFiles(root)).toStrictEqual(['Z.channel.ts', 'a/b.channel.ts', 'a/z.channel.ts', 'b.channel.ts', 'ignored/x.channel.ts'])
  })

  it('lists the folders that hold files, for watch to rescan', () => {
    const root = tree(true)
    expect(projectFiles(root, [join(root, '.pikku')]).dirs.map((dir) => relative(root, dir))).toStrictEqual(['', '.hidden', 'a'])
  })

  it('imports the services module first, then the channel files, relative to the output folder', async () => {
    const root = tree(true)
    const sources = await scanProject(join(root, 'index.ts'), join(root, '.pikku'), root)
    expect(bootstrapFile(sources).split('\n').filter((line) => line.startsWith('import'))).toStrictEqual([
      "import '../services.js'",
      "import '../.hidden/h.channel.js'",
      "import '../Z.channel.js'",
      "import '../a/b.channel.js'",
      "import '../a/z.channel.js'",
      "import '../b.channel.js'",
    ])
  })

  it('is still a module when there is nothing to import', async () => {
    const root = tempDir('pikku-bootstrap-')
    writeFileSync(join(root, 'index.ts'), '')
    const text = bootstrapFile(await scanProject(join(root, 'index.ts'), join(root, '.pikku'), root))
    expect(text).toContain('// (no services module and no *.channel.ts found)')
    expect(text.endsWith('\nexport {}\n')).toBe(true)
  })
})
