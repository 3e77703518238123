// Failures while bundling or importing the user's entry, told with the user's file positions.
import { resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Message } from 'esbuild'
import { CliError, describeError } from './errors'
import { LIBRARY_ROOT } from './library'
import { display, isInside } from './paths'

/** esbuild's messages: thrown by build() in a BuildFailure, or in a rebuild's result. */
export function bundleFailure(failure: unknown, entry: string, cwd: string): CliError {
  const errors = messagesOf(failure)
  // A CliError from resolving the entry inside a build (watch) needs no "could not bundle".
  const cause = errors?.[0]?.detail
  if (cause instanceof CliError) return cause
  return new CliError(`could not bundle ${display(entry, cwd)}:\n${formatMessages(errors, failure, cwd)}`)
}

/** An error thrown while the bundle ran: usually a wiring mistake, so point at the user's line. */
export function importFailure(error: unknown, entry: string, cwd: string): CliError {
  return new CliError(`loading ${display(entry, cwd)} failed: ${describeError(error)}${thrownAt(error, cwd)}`)
}

function messagesOf(failure: unknown): readonly Message[] | undefined {
  if (Array.isArray(failure)) return failure as Message[]
  const errors = (failure as { errors?: unknown } | null)?.errors
  return Array.isArray(errors) ? (errors as Message[]) : undefined
}

function formatMessages(errors: readonly Message[] | undefined, failure: unknown, cwd: string): string {
  if (errors === undefined || errors.length === 0) return `  ${describeError(failure)}`
  return errors
    .slice(0, 10)
    .map((e) => {
      const where = e.location ? `${display(resolve(cwd, e.location.file), cwd)}:${e.location.line}:${e.location.column + 1}: ` : ''
      const hint = /cloudflare:/.test(e.text) ? ' (only cloudflare:workers is stubbed when loading wirings in Node)' : ''
      return `  ${where}${e.text}${hint}`
    })
    .join('\n')
}

/** ` (at worker/chat.channel.ts:8:28)`: the first stack frame in the user's files, if any. */
function thrownAt(error: unknown, cwd: string): string {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : ''
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?$/gm)) {
    const [, path = '', line, column] = match
    const file = path.startsWith('file://') ? fileURLToPath(path) : path
    if (file.includes(`${sep}node_modules${sep}`) || isInside(file, LIBRARY_ROOT) || !isInside(file, cwd)) continue
    return `\n  at ${display(file, cwd)}:${line}:${column}`
  }
  return ''
}
