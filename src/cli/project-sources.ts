// What gen reads from the project's files before loading it: channel files, the services module, the session type.
import { dirname } from 'node:path'
import { findAppTypes, type AppTypes } from './app-types'
import { projectFiles } from './project-files'
import { loadTypeScript } from './typescript'

/** The project's files as gen sees them, before any is parsed. */
export interface ProjectLayout {
  entry: string
  /** The entry's folder: where channel files and types are looked for. */
  root: string
  /** Where the generated files go (and what `#pikku/*` names while the project loads). */
  outDir: string
  /** Every `*.channel.ts` under `root` but the entry, sorted. */
  channelFiles: string[]
  /** The TypeScript files under `root` (declarations included): watch rebuilds when one changes. */
  typeScriptFiles: string[]
  /** Folders under `root` holding files: watch rebuilds when one gains or loses a file. */
  dirs: string[]
}

export interface ProjectSources extends ProjectLayout {
  appTypes: AppTypes
}

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/

export function projectLayout(entry: string, outDir: string): ProjectLayout {
  const root = dirname(entry)
  const { files, dirs } = projectFiles(root, [outDir])
  return {
    entry,
    root,
    outDir,
    channelFiles: files.filter((file) => file.endsWith('.channel.ts') && file !== entry),
    typeScriptFiles: files.filter((file) => TYPESCRIPT.test(file)),
    dirs,
  }
}

/** The layout, and the app's types found by parsing its TypeScript files. */
export async function scanProject(entry: string, outDir: string, cwd: string, layout = projectLayout(entry, outDir)): Promise<ProjectSources> {
  const ts = await loadTypeScript('finding the services and session types')
  return { ...layout, appTypes: findAppTypes(ts, layout.typeScriptFiles, cwd) }
}
