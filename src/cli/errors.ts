// The two ways the CLI fails on purpose, and how any failure is told to the user.

/** A mistake on the command line: exit 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A failure whose message says all the user needs (no stack): exit 1. */
export class CliError extends Error {
  override name = 'CliError'
}

/** `Name: message`, or the stack when a bug rather than the user's project is the likely cause. */
export function describeError(error: unknown, withStack = false): string {
  if (error instanceof Error) return withStack && error.stack ? error.stack : `${error.name}: ${error.message}`
  return String(error)
}

/**
 * The exit code and the stderr text for a failure. Anything that is neither
 * a UsageError nor a CliError was not foreseen, so it keeps its stack.
 */
export function failure(error: unknown): { code: 1 | 2; text: string } {
  if (error instanceof UsageError) {
    return { code: 2, text: `pikku-durable-channels: ${error.message}\nRun "pikku-durable-channels --help" for usage.\n` }
  }
  return { code: 1, text: `pikku-durable-channels: ${error instanceof CliError ? error.message : describeError(error, true)}\n` }
}
