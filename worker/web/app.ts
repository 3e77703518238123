// The reference chat's page script. It uses the library's own typed client,
// the generated PikkuWebSocket (seed 001's shape, bound to this app's channels
// by `pikku-durable-channels gen`), so everything here is typed from the
// wiring in ../chat.channel.ts: a wrong action, input or topic is a compile error.
import { PikkuWebSocket } from '#pikku/pikku-websocket.gen.js'
import type { ChannelsMap } from '#pikku/pikku-websocket.gen.js'
import { openReader } from 'pikku-durable-channels/client'
import { openTodos } from './todos.js'

type ChatMessage = ChannelsMap['chat']['topics']['chat:message']

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
let pikku: PikkuWebSocket | undefined
let currentRoom = ''
let joinedName = ''
/** Whether the room was last told we are typing. */
let typingSaid = false

function sayTyping(typing: boolean): void {
  if (typing === typingSaid || !pikku || pikku.client.state !== 'open') return
  typingSaid = typing
  pikku.getRoute('chat').send('typing', { typing }).catch(() => (typingSaid = !typing))
}

function show(text: string, kind?: 'system' | 'error'): void {
  const li = document.createElement('li')
  li.textContent = text
  if (kind) li.className = kind
  $('log').append(li)
  li.scrollIntoView({ block: 'nearest' })
}

/** The messages on screen by id: a message can reach the page twice (the reply to our own send, then its replay after a reconnect), and an edit replaces its line. */
const shown = new Map<ChatMessage['id'], HTMLLIElement>()
const line = (m: ChatMessage) => `${new Date(m.at).toLocaleTimeString()} ${m.author}: ${m.text}`

function showMessage(m: ChatMessage): void {
  if (shown.has(m.id)) return
  const li = document.createElement('li')
  shown.set(m.id, li)
  $('log').append(li)
  render(li, m, false)
  li.scrollIntoView({ block: 'nearest' })
}

function showEdit(m: ChatMessage): void {
  const li = shown.get(m.id)
  if (li) render(li, m, true)
}

/** One message's line; our own get an Edit button (the server checks the author too: FORBIDDEN for anyone else's). */
function render(li: HTMLLIElement, m: ChatMessage, edited: boolean): void {
  const text = document.createElement('span')
  text.className = 'line'
  text.textContent = edited ? `${line(m)} (edited)` : line(m)
  li.replaceChildren(text)
  if (m.author !== joinedName) return
  const edit = document.createElement('button')
  edit.className = 'edit'
  edit.type = 'button'
  edit.textContent = 'Edit'
  edit.addEventListener('click', () => startEditing(li, m, edited))
  li.append(edit)
}

/** Swaps the line for a field with the message's text: Enter saves through the `edit` action, Escape puts the line back. */
function startEditing(li: HTMLLIElement, m: ChatMessage, edited: boolean): void {
  const form = document.createElement('form')
  form.className = 'edit'
  const input = document.createElement('input')
  input.className = 'edit-text'
  input.value = m.text
  input.maxLength = 500
  input.setAttribute('aria-label', 'Edit message')
  form.append(input)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    pikku!
      .getRoute('chat')
      .send('edit', { id: m.id, text: input.value })
      .then(showEdit, (error: unknown) => {
        render(li, m, edited)
        showError(error)
      })
  })
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') render(li, m, edited)
  })
  li.replaceChildren(form)
  input.focus()
}

function showError(error: unknown): void {
  const { code, message } = error as { code?: string; message: string }
  show(`${code ?? 'ERROR'}: ${message}`, 'error')
}

/** DEMO ONLY: a sign-in token for the name, from the Worker's demo issuer; a real app gets one from its login. */
async function signIn(name: string): Promise<string> {
  const response = await fetch(`/demo/token?name=${encodeURIComponent(name)}`, { method: 'POST' })
  return ((await response.json()) as { token: string }).token
}

function setSending(enabled: boolean): void {
  $<HTMLInputElement>('text').disabled = !enabled
  $<HTMLButtonElement>('send').disabled = !enabled
  $<HTMLButtonElement>('download').disabled = !enabled
}

/**
 * Downloads the room's history: the `export` action returns a stream reader's
 * ref, and the page reads the stream (a text message saying what follows,
 * then JSON lines as binary) and saves the bytes as a file.
 */
async function downloadHistory(): Promise<void> {
  const ref = await pikku!.getRoute('chat').send('export', {})
  const reader = openReader(ref, { url: location.origin })
  let header: { messages?: number } = {}
  reader.onMessage((text) => (header = JSON.parse(text) as { messages?: number }))
  const bytes = await reader.readAll()
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/x-ndjson' }))
  link.download = `${currentRoom}-history.jsonl`
  link.click()
  // Revoked later, not at once: the browser reads the blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000)
  show(`Downloaded ${header.messages ?? 0} messages (${bytes.byteLength} bytes) as ${link.download}`, 'system')
}

async function join(room: string, name: string): Promise<void> {
  typingSaid = false
  pikku?.close()
  const url = new URL(`/chat/${encodeURIComponent(room)}`, location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  // Signed in by a token checked at the upgrade; without a name, anonymous.
  if (name) url.searchParams.set('token', await signIn(name))
  $('log').replaceChildren()
  shown.clear()
  $('status').textContent = `Connecting to ${room}…`
  setSending(false)

  const current = (pikku = new PikkuWebSocket(url, { routes: { chat: '/chat/:room' } }))
  const chat = current.getRoute('chat')
  let joinedAs = ''
  current.onStateChange((state) => {
    if (current !== pikku) return
    const next = current.client.reconnecting
    // The connection state, as the client reports it: live, or reconnecting with which attempt after how long.
    if (state === 'connecting') $('status').textContent = next ? `Reconnecting (attempt ${next.attempt}, in ${(next.delayMs / 1000).toFixed(1)} s)…` : 'Reconnecting…'
    if (state === 'open' && joinedAs) $('status').textContent = joinedAs
    if (state === 'closed') $('status').textContent = `Disconnected (${current.client.lastClose?.code ?? 'closed'}).`
    setSending(state === 'open')
  })
  // Who is online, kept current by the server's presence diffs (asked again after every reconnect).
  $('online').textContent = ''
  current.client.onPresence((view) => {
    if (current !== pikku) return
    const members = view.members.map((member) => member.data as { name: string; typing?: boolean })
    const names = members.map((member) => member.name).sort()
    const typing = members.filter((member) => member.typing && member.name !== joinedName).map((member) => member.name)
    $('online').textContent = `Online (${view.count}): ${names.join(', ')}${view.sampled ? ', …' : ''}`
    $('typing').textContent = typing.length ? `${typing.join(', ')} typing…` : ''
  })
  // Events: live messages, and what was missed while reconnecting (replayed once, in order).
  chat.subscribe('chat:message', showMessage)
  chat.subscribe('chat:edited', showEdit)
  chat.subscribe('chat:announcement', (data) => show(`Announcement: ${(data as { text?: string }).text ?? ''}`, 'system'))

  const welcome = (await current.ready()) as { room: string; name: string }
  if (current !== pikku) return
  joinedName = welcome.name
  joinedAs = `In #${welcome.room} as ${welcome.name}`
  $('status').textContent = joinedAs
  currentRoom = welcome.room
  setSending(true)
  const { messages } = await chat.send('history', { limit: 50 })
  messages.forEach(showMessage)
  // The room's todo list: its own channel, one list per room.
  await openTodos(welcome.room)
}

$('join').addEventListener('submit', (event) => {
  event.preventDefault()
  void join($<HTMLInputElement>('room').value, $<HTMLInputElement>('name').value.trim())
})

$('say').addEventListener('submit', async (event) => {
  event.preventDefault()
  const input = $<HTMLInputElement>('text')
  const text = input.value
  input.value = ''
  sayTyping(false)
  try {
    showMessage(await pikku!.getRoute('chat').send('send', { text }))
  } catch (error) {
    showError(error)
  }
})

$('download').addEventListener('click', () => {
  downloadHistory().catch(showError)
})

// Typing shows in the room's presence: said when the field has text, unsaid when it is empty or sent.
$('text').addEventListener('input', () => sayTyping($<HTMLInputElement>('text').value.length > 0))
