import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { textTable } from '../../src/cli/text-table'
import { FIXTURES } from '../meta/support'
import { CLI_TIMEOUT, cleanup, runCli, tempProject } from './support'

afterAll(cleanup)

describe('pikku-durable-channels info channels', CLI_TIMEOUT, () => {
  it('prints a table of channels, routes and actions', () => {
    const result = runCli(['info', 'channels'])
    expect(result.status).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^CHANNEL\s+ROUTE\s+ACTIONS$/)
    expect(lines[1]).toMatch(/^-+ {2}-+ {2}-+$/)
    expect(lines[2]).toMatch(/^chat\s+\/chat\/:room\s+edit, export, history, send, typing$/)
  })

  it('lists the channels with no subject too: channels is the default', () => {
    const bare = runCli(['info'])
    expect(bare.status).toBe(0)
    expect(bare.stdout).toBe(runCli(['info', 'channels']).stdout)
  })

  it('shows the routes under the mount path given with --base', () => {
    const result = runCli(['info', '--base', '/ws'])
    expect(result.status).toBe(0)
    expect(result.stdout.trimEnd().split('\n')[2]).toMatch(/^chat\s+\/ws\/chat\/:room\s+edit, export, history, send, typing$/)
    const verbose = runCli(['info', 'channels', '--verbose', '--base', '/ws', '--entry', join(FIXTURES, 'kitchen-sink.ts')])
    expect(verbose.stdout).toMatch(/^todos\s+\/ws\/todos\/:org\/:list/m)
    expect(verbose.stdout).toMatch(/^a\s+\/ws\/a\s/m)
  })

  it('adds auth, permissions, topics and limits with --verbose', () => {
    const result = runCli(['info', 'channels', '--verbose', '--entry', join(FIXTURES, 'kitchen-sink.ts')])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^CHANNEL\s+ROUTE\s+AUTH\s+HANDLERS\s+ACTIONS\s+TOPICS\s+LIMITS$/m)
    expect(result.stdout).toContain('todo/create session perm:both(2)|isAdmin')
    expect(result.stdout).toContain('staff session perm:isAdmin replay')
    expect(result.stdout).toContain('maxMessageSize: 1024')
    expect(result.stdout).toContain('rateLimit: off')
    expect(result.stdout).toContain('session: needs a session; open: does not.')
  })

  it('says so when nothing is wired', () => {
    const project = tempProject()
    const result = runCli(['info', 'channels', '--entry', 'src/empty.ts'], project)
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('No channels are wired in src/empty.ts.\n')
    expect(result.stderr).toBe('')
  })
})

describe('textTable', () => {
  it('pads columns to their widest line and stacks the lines of a cell', () => {
    expect(textTable(['A', 'LONG'], [['x\nyyy', 'z'], ['w', '']])).toBe('A    LONG\n---  ----\nx    z\nyyy\nw\n')
  })
})
