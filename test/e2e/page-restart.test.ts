import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { randomRoom } from './support/client'
import { DevServer, PROJECT_ROOT } from './support/dev-server'

// The reference chat in Debian's Chromium through a server crash: two pages chat in one
// room while a third room stays silent, and presence shows who is in each; wrangler dev is killed (kill -9) and restarted on
// the same state mid-session; both pages show that they are reconnecting, recover without
// a reload, and end with every message exactly once; an edit of one's own message and the room's
// todo list (added before the crash, completed after) reach both pages; presence is right again, and a closed tab leaves. A screenshot of each page is saved
// in test-output/ and checked to be non-empty.

const CHROMIUM = '/usr/bin/chromium'
const UI_TIMEOUT_MS = 30_000
const OUTPUT = join(PROJECT_ROOT, 'test-output')

const server = new DevServer()
let browser: Browser | undefined

beforeAll(async () => {
  await server.start()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  })
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await server.dispose()
}, 30_000)

async function openPage(room: string, name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser!.newContext()).newPage()
  page.setDefaultTimeout(UI_TIMEOUT_MS)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${server.baseUrl}/`)
  await page.locator('#room').fill(room)
  await page.locator('#name').fill(name)
  await page.locator('#join button').click()
  await expect.poll(() => page.locator('#status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe(`In #${room} as ${name}`)
  return { page, errors }
}

async function say(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.locator('#text').isEnabled(), { timeout: UI_TIMEOUT_MS }).toBe(true)
  await page.locator('#text').fill(text)
  await page.locator('#text').press('Enter')
}

const messages = async (page: Page) => (await page.locator('#log li .line').allTextContents()).map((line) => line.replace(/^\S+(\s[AP]M)?\s/, ''))

const todos = async (page: Page) =>
  page.locator('#todo-list li').evaluateAll((items) => items.map((li) => `${li.textContent}: ${(li.querySelector('input') as unknown as { checked: boolean }).checked ? 'done' : 'open'}`))

test('two pages recover from a kill -9 of the server without a reload, losing and doubling nothing', { timeout: 180_000 }, async () => {
  const room = randomRoom('restart')
  const alice = await openPage(room, 'Alice')
  const bob = await openPage(room, 'Bob')
  const carol = await openPage(randomRoom('quiet'), 'Carol')
  // Presence: the two in the room, not the one in the other room.
  for (const { page } of [alice, bob]) await expect.poll(() => page.locator('#online').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('Online (2): Alice, Bob')
  await expect.poll(() => carol.page.locator('#online').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('Online (1): Carol')

  await say(alice.page, 'one')
  await expect.poll(() => messages(bob.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: one'])
  await say(bob.page, 'two')
  await expect.poll(() => messages(alice.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: one', 'Bob: two'])

  // The room's todo list, live on both pages.
  await expect.poll(() => alice.page.locator('#todo-title').isEnabled(), { timeout: UI_TIMEOUT_MS }).toBe(true)
  await alice.page.locator('#todo-title').fill('buy milk')
  await alice.page.locator('#todo-title').press('Enter')
  for (const { page } of [alice, bob]) await expect.poll(() => todos(page), { timeout: UI_TIMEOUT_MS }).toEqual(['buy milk: open'])

  await server.stop('SIGKILL')
  // The pages say what is happening: which attempt, after how long.
  for (const { page } of [alice, bob]) await expect.poll(() => page.locator('#status').textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^Reconnecting( \(attempt \d+, in \d+\.\d s\))?…$/)
  await server.start()
  for (const [{ page }, name] of [[alice, 'Alice'], [bob, 'Bob']] as const) await expect.poll(() => page.locator('#status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe(`In #${room} as ${name}`)

  await say(alice.page, 'three')
  await say(bob.page, 'four')
  const all = ['Alice: one', 'Bob: two', 'Alice: three', 'Bob: four']
  for (const { page } of [alice, bob]) await expect.poll(async () => [...(await messages(page))].sort(), { timeout: UI_TIMEOUT_MS }).toEqual([...all].sort())
  // Exactly once each, after the restart too: count them.
  for (const { page } of [alice, bob]) expect(await messages(page)).toHaveLength(4)
  expect(await messages(carol.page)).toEqual([])

  // Editing: only one's own messages have an Edit button; the edit reaches the other page.
  const aliceOnBob = bob.page.locator('#log li', { hasText: 'Alice: one' })
  await expect.poll(() => aliceOnBob.locator('button.edit').count()).toBe(0)
  await alice.page.locator('#log li', { hasText: 'Alice: one' }).locator('button.edit').click()
  await alice.page.locator('#log li input.edit-text').fill('one, edited')
  await alice.page.locator('#log li input.edit-text').press('Enter')
  for (const { page } of [alice, bob]) await expect.poll(() => messages(page), { timeout: UI_TIMEOUT_MS }).toContain('Alice: one, edited (edited)')
  expect(await messages(bob.page)).toHaveLength(4)

  // The todo list survived the restart (the list's SQLite), and completing it shows on both pages.
  for (const { page } of [alice, bob]) await expect.poll(() => todos(page), { timeout: UI_TIMEOUT_MS }).toEqual(['buy milk: open'])
  await bob.page.locator('#todo-list input[type=checkbox]').click()
  for (const { page } of [alice, bob]) await expect.poll(() => todos(page), { timeout: UI_TIMEOUT_MS }).toEqual(['buy milk: done'])
  await expect.poll(() => todos(carol.page)).toEqual([])

  mkdirSync(OUTPUT, { recursive: true })
  for (const [name, { page }] of Object.entries({ alice, bob, carol })) {
    const path = join(OUTPUT, `page-restart-${name}.png`)
    await page.screenshot({ path, fullPage: true })
    expect(statSync(path).size).toBeGreaterThan(1_000)
  }
  for (const { errors } of [alice, bob, carol]) expect(errors).toEqual([])

  // After the restart presence is right again, and a closed tab leaves.
  await expect.poll(() => alice.page.locator('#online').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('Online (2): Alice, Bob')
  await bob.page.close()
  await expect.poll(() => alice.page.locator('#online').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('Online (1): Alice')
})
