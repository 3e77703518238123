import { truncate } from '../truncate'
import type { ErrorIssue } from './frames'

/**
 * How much an answer may carry, whatever a client sent: a frame of 120,000
 * wrong numbers must not come back as 120,000 issues (megabytes, and an
 * object reset), and a 10 KB action name must not be echoed whole.
 * PROTOCOL.md documents these numbers.
 */
export const ANSWER_BOUNDS = {
  /** Issues listed in an error; `moreIssues` counts the rest. */
  issues: 20,
  /** Characters of an error's message, or an issue's. */
  messageChars: 300,
  /** Keys of an issue's path (the innermost are kept)... */
  pathKeys: 16,
  /** ...and characters of each. */
  keyChars: 64,
  /** Characters of anything echoed from the client: the action, a topic. */
  echoChars: 128,
} as const

/** An echoed field (the action), at most `echoChars` long. */
export function boundEcho(text: string | undefined): string | undefined {
  return text === undefined ? undefined : truncate(text, ANSWER_BOUNDS.echoChars)
}

/** An error frame's payload, or a handshake refusal's: the same shape over different codes. */
interface BoundableError {
  code: string
  message: string
  issues?: ErrorIssue[] | undefined
  moreIssues?: number | undefined
}

/** An error within the bounds: its message cut, at most `issues` issues (each cut), the count of the rest in `moreIssues`. */
export function boundError<E extends BoundableError>(error: E): E & { moreIssues?: number } {
  const bounded = { code: error.code, message: truncate(error.message, ANSWER_BOUNDS.messageChars) } as E
  if (error.issues) {
    const issues = error.issues.slice(0, ANSWER_BOUNDS.issues).map(boundIssue)
    bounded.issues = issues
    const more = error.issues.length - issues.length + (error.moreIssues ?? 0)
    if (more > 0) bounded.moreIssues = more
  }
  return bounded
}

function boundIssue(issue: ErrorIssue): ErrorIssue {
  const message = truncate(issue.message, ANSWER_BOUNDS.messageChars)
  if (!issue.path) return { message }
  const path = issue.path.slice(-ANSWER_BOUNDS.pathKeys).map((key) => (typeof key === 'string' ? truncate(key, ANSWER_BOUNDS.keyChars) : key))
  return { message, path }
}
