import { existsSync, readFileSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { randomRoom } from './support/client'

// The chat page at / in Debian's Chromium, against the shared `wrangler dev`.

const baseUrl = inject('baseUrl')
const CHROMIUM = '/usr/bin/chromium'
const UI_TIMEOUT_MS = 10_000

let browser: Browser | undefined

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's Chromium (apt-get install -y chromium)`)
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  })
})

afterAll(async () => {
  await browser?.close()
})

/** A fresh page at / that records its script errors. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser!.newContext()
  const page = await context.newPage()
  page.setDefaultTimeout(UI_TIMEOUT_MS)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    // Chromium reports every 404 as a console error; the page has no favicon and asks for /favicon.ico.
    if (text.startsWith('Failed to load resource') && message.location().url.endsWith('/favicon.ico')) return
    errors.push(text)
  })
  await page.goto(`${baseUrl}/`)
  return { page, errors }
}

async function joinRoom(page: Page, room: string, name: string): Promise<void> {
  await page.locator('#room').fill(room)
  await page.locator('#name').fill(name)
  await page.locator('#join button').click()
  await expect.poll(() => page.locator('#status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe(`In #${room} as ${name}`)
  await expect.poll(() => page.locator('#text').isEnabled(), { timeout: UI_TIMEOUT_MS }).toBe(true)
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text)
  await page.locator('#text').press('Enter')
}

/** The log's lines without their local time prefix: "Alice: hi" (a message's text, not its Edit button). */
async function logLines(page: Page): Promise<string[]> {
  const lines = await page.locator('#log li').evaluateAll((items) => items.map((li) => (li.querySelector('.line') ?? li).textContent ?? ''))
  return lines.map((line) => line.replace(/^\S+(\s[AP]M)?\s/, ''))
}

test('two pages in one room: a message sent on one is in the history of the other', async () => {
  const room = randomRoom('page')
  const first = await openPage()
  const second = await openPage()

  await joinRoom(first.page, room, 'Alice')
  await joinRoom(second.page, room, 'Bob')
  expect(await logLines(first.page)).toEqual([])
  expect(await logLines(second.page)).toEqual([])

  await say(first.page, 'hello from alice')
  await expect.poll(() => logLines(first.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: hello from alice'])
  expect(await first.page.locator('#text').inputValue()).toBe('')

  // Bob reloads and rejoins: the message is in the room's history.
  await second.page.reload()
  await joinRoom(second.page, room, 'Bob')
  await expect.poll(() => logLines(second.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: hello from alice'])

  await say(second.page, 'hi alice')
  await expect.poll(() => logLines(second.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: hello from alice', 'Bob: hi alice'])

  // Alice rejoins without reloading (the join form replaces the socket) and sees both, oldest first.
  await joinRoom(first.page, room, 'Alice')
  await expect.poll(() => logLines(first.page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: hello from alice', 'Bob: hi alice'])

  expect(await first.page.locator('#log li.error').count()).toBe(0)
  expect(await second.page.locator('#log li.error').count()).toBe(0)
  expect(first.errors).toEqual([])
  expect(second.errors).toEqual([])
})

test("Download history: the export action's stream, read by the page and saved as a file", async () => {
  const room = randomRoom('download')
  const { page, errors } = await openPage()
  await joinRoom(page, room, 'Alice')
  await say(page, 'first')
  await say(page, 'second')
  await expect.poll(() => logLines(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Alice: first', 'Alice: second'])
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()])
  expect(download.suggestedFilename()).toBe(`${room}-history.jsonl`)
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line))
  expect(lines.map((m) => `${m.author}: ${m.text}`)).toEqual(['Alice: first', 'Alice: second'])
  await expect.poll(() => page.locator('#log li.system').last().textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^Downloaded 2 messages \(\d+ bytes\)/)
  expect(errors).toEqual([])
})

test('the page teaches: it names the files that make it, links the README and the protocol, and runs on the typed client', async () => {
  const { page, errors } = await openPage()
  const aside = await page.locator('aside').textContent()
  for (const file of ['chat.channel.ts', 'functions/chat/*.function.ts', 'services.ts', 'index.ts', 'web/app.ts', 'pikku-websocket.gen.ts']) expect(aside).toContain(file)
  for (const href of ['/README.md', '/PROTOCOL.md']) {
    expect(await page.locator(`a[href="${href}"]`).count()).toBe(1)
    expect((await fetch(`${baseUrl}${href}`)).status).toBe(200)
  }
  // The script is the bundled client (web/app.ts on the generated PikkuWebSocket), not a page-local protocol.
  const script = await (await fetch(`${baseUrl}/app.js`)).text()
  expect(script).toContain('$subscribe')
  expect(await page.locator('script[src="/app.js"]').count()).toBe(1)
  expect(errors).toEqual([])
})
