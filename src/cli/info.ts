// `info channels`: what is wired, as a table.
import type { LibraryExports } from './library'
import { loadApp } from './load-project'
import { display } from './paths'
import { textTable } from './text-table'

type ChannelMeta = ReturnType<LibraryExports['describeChannels']>['channels'][number]
type PermissionsMeta = ChannelMeta['actions'][number]['permissions']

export interface InfoOptions {
  cwd: string
  entry: string | undefined
  verbose: boolean
  /** The mount path (`--base`), shown in front of every route. */
  base: string | undefined
}

const SHORT_HEADER = ['CHANNEL', 'ROUTE', 'ACTIONS']
const VERBOSE_HEADER = ['CHANNEL', 'ROUTE', 'AUTH', 'HANDLERS', 'ACTIONS', 'TOPICS', 'LIMITS']
const LEGEND = '\nsession: needs a session; open: does not. perm: any one key passes; (n) = n checks that must all pass.\n'

export async function info({ cwd, entry, verbose, base = '' }: InfoOptions): Promise<void> {
  const { project } = await loadApp(cwd, entry, undefined)
  const { describeChannels, registry } = project.exports
  const { channels } = describeChannels(registry)
  if (channels.length === 0) {
    process.stdout.write(`No channels are wired in ${display(project.entry, cwd)}.\n`)
    return
  }
  // As Hono joins a mount path and a route: `/ws` and `/` are `/ws`.
  const mounted = channels.map((channel) => ({ ...channel, route: base !== '' && channel.route === '/' ? base : base + channel.route }))
  process.stdout.write(textTable(verbose ? VERBOSE_HEADER : SHORT_HEADER, mounted.map(verbose ? verboseRow : shortRow)))
  if (verbose) process.stdout.write(LEGEND)
}

function shortRow(channel: ChannelMeta): string[] {
  return [channel.name, channel.route, channel.actions.map((a) => a.name).join(', ') || '-']
}

function verboseRow(channel: ChannelMeta): string[] {
  const handlers = Object.entries(channel.handlers).flatMap(([name, handler]) => (handler === null ? [] : [`${name}${handler.output ? ' (output)' : ''}`]))
  const actions = channel.actions.map((a) => [a.name, access(a.auth), permissionText(a.permissions)].filter(Boolean).join(' '))
  const topics = channel.topics.map((t) =>
    [t.topic, access(t.auth), permissionText(t.permissions), t.global ? 'global' : '', t.replay ? 'replay' : '', t.schema ? 'schema' : ''].filter(Boolean).join(' '),
  )
  const replay = channel.replay === false ? 'off' : `${channel.replay.count} events, ${channel.replay.maxAgeMs / 1000}s`
  return [
    channel.name,
    channel.route + (channel.routingKey === 'action' ? '' : `\nrouted on "${channel.routingKey}"`),
    [access(channel.auth), channel.authenticate ? 'authenticate' : ''].filter(Boolean).join('\n'),
    handlers.join('\n') || '-',
    actions.join('\n') || '-',
    topics.join('\n') || '-',
    `${limitsText(channel.limits)}\nreplay: ${replay}`,
  ]
}

function access(auth: boolean): string {
  return auth ? 'session' : 'open'
}

function permissionText(permissions: PermissionsMeta): string {
  if (!permissions) return ''
  return `perm:${Object.entries(permissions)
    .map(([key, count]) => (count === 1 ? key : `${key}(${count})`))
    .join('|')}`
}

function limitsText(limits: ChannelMeta['limits']): string {
  const parts: string[] = []
  if (limits.maxMessageSize !== undefined) parts.push(`maxMessageSize: ${limits.maxMessageSize}`)
  if (limits.maxConnections !== undefined) parts.push(`maxConnections: ${limits.maxConnections}`)
  if (limits.rateLimit === false) parts.push('rateLimit: off')
  else if (limits.rateLimit !== undefined) {
    parts.push(`rateLimit: ${Object.entries(limits.rateLimit).map(([key, value]) => `${key}=${value}`).join(' ') || 'defaults'}`)
  }
  return parts.length > 0 ? parts.join('\n') : 'defaults'
}
