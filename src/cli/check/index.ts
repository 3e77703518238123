// `check [dir]`: seed 000's review checklist over a project's files, as file:line findings.
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { resolveEntry } from '../entry'
import { UsageError } from '../errors'
import { display, isInside } from '../paths'
import { projectFiles } from '../project-files'
import { loadTypeScript, parse } from '../typescript'
import { compareFindings, type Finding } from './findings'
import { checkSource } from './rules'

export interface CheckOptions {
  cwd: string
  entry: string | undefined
  /** A folder (or one file); undefined: the entry's folder. */
  dir: string | undefined
}

/** Source files only: declarations hold no wirings or functions. */
const CHECKED = /(?<!\.d)\.(?:[cm]?ts|tsx)$/

/**
 * Prints every finding as `file:line:column: rule: message`, then a summary;
 * returns 1 when there are findings, 0 when there are none. The files are
 * the project's (git's view, see `projectFiles`), parsed, never run.
 */
export async function check({ cwd, entry, dir }: CheckOptions): Promise<0 | 1> {
  const target = dir === undefined ? dirname(await resolveEntry(cwd, entry)) : resolve(cwd, dir)
  const kind = statKind(target)
  if (kind === undefined) throw new UsageError(`check: no such file or folder: ${dir}`)
  // A single file is judged from the working folder, so `functions/` in its path still counts.
  const root = kind === 'dir' ? target : isInside(target, cwd) ? cwd : dirname(target)
  const files = kind === 'dir' ? projectFiles(root).files.filter((file) => CHECKED.test(file)) : [target]
  const ts = await loadTypeScript('check')
  const findings: Finding[] = files.flatMap((file) => checkSource(ts, parse(ts, file, readFileSync(file, 'utf8')), root)).sort(compareFindings)
  for (const f of findings) process.stdout.write(`${display(f.file, cwd)}:${f.line}:${f.column}: ${f.rule}: ${f.message}\n`)
  const checked = `${files.length} file${files.length === 1 ? '' : 's'} in ${display(target, cwd)}`
  if (findings.length === 0) {
    process.stdout.write(`check: ${checked}, no problems\n`)
    return 0
  }
  const inFiles = new Set(findings.map((f) => f.file)).size
  process.stdout.write(`check: ${findings.length} problem${findings.length === 1 ? '' : 's'} in ${inFiles} of ${checked}\n`)
  return 1
}

function statKind(path: string): 'dir' | 'file' | undefined {
  try {
    const stat = statSync(path)
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}
