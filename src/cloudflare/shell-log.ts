import { createConsoleLogger } from '../core/logger'

/**
 * The shell's logger, for failures before (or outside) the app's services
 * and their logger: the router, the publish route, a coordinator. JSON lines,
 * like the default logger handlers get.
 */
export const shellLog = createConsoleLogger()
