// Writing generated files: only when they change, and never half-written.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Writes `text` unless the file already holds it, and says whether it did.
 * An unchanged file keeps its mtime, so tools that watch `.pikku/` (wrangler
 * dev) do not rerun for nothing. A change goes to a temp file renamed over
 * the old one: a bundler reading the folder meanwhile sees the old file or
 * the new one, never an empty one.
 */
export async function writeIfChanged(file: string, text: string): Promise<boolean> {
  const before = existsSync(file) ? await readFile(file, 'utf8') : undefined
  if (before === text) return false
  await mkdir(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, text)
  await rename(temp, file)
  return true
}
