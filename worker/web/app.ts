// The reference chat's page script. It uses the library's own typed client,
// the generated PikkuWebSocket (seed 001's shape, bound to this app's channels
// by `pikku-durable-channels gen`), so everything here is typed from the
// wiring in ../chat.channel.ts: a wrong action, input or topic is a compile error.
import { PikkuWebSocket } from '#pikku/pikku-websocket.gen.js'
import type { ChannelsMap } from '#pikku/pikku-websocket.gen.js'
import { openReader } from 'pikku-durable-channels/client'

type ChatMessage = ChannelsMap['chat']['topics']['chat:message']

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
let pikku: PikkuWebSocket | undefined
let currentRoom = ''

function show(text: string, kind?: 'system' | 'error'): void {
  const li = document.createElement('li')
  li.textContent = text
  if (kind) li.className = kind
  $('log').append(li)
  li.scrollIntoView({ block: 'nearest' })
}

/** Ids of the messages on screen: a message can reach the page twice (the reply to our own send, then its replay after a reconnect). */
const shown = new Set<ChatMessage['id']>()

function showMessage(m: ChatMessage): void {
  if (shown.has(m.id)) return
  shown.add(m.id)
  show(`${new Date(m.at).toLocaleTimeString()} ${m.author}: ${m.text}`)
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
  pikku?.close()
  const url = new URL(`/chat/${encodeURIComponent(room)}`, location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  if (name) url.searchParams.set('name', name)
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
    const names = view.members.map((member) => (member.data as { name: string }).name).sort()
    $('online').textContent = `Online (${view.count}): ${names.join(', ')}${view.sampled ? ', …' : ''}`
  })
  // Events: live messages, and what was missed while reconnecting (replayed once, in order).
  chat.subscribe('chat:message', showMessage)
  chat.subscribe('chat:announcement', (data) => show(`Announcement: ${(data as { text?: string }).text ?? ''}`, 'system'))

  const welcome = (await current.ready()) as { room: string; name: string }
  if (current !== pikku) return
  joinedAs = `In #${welcome.room} as ${welcome.name}`
  $('status').textContent = joinedAs
  currentRoom = welcome.room
  setSending(true)
  const { messages } = await chat.send('history', { limit: 50 })
  messages.forEach(showMessage)
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
  try {
    showMessage(await pikku!.getRoute('chat').send('send', { text }))
  } catch (error) {
    const { code, message } = error as { code: string; message: string }
    show(`${code}: ${message}`, 'error')
  }
})

$('download').addEventListener('click', () => {
  downloadHistory().catch((error: unknown) => {
    const { code, message } = error as { code?: string; message: string }
    show(`${code ?? 'ERROR'}: ${message}`, 'error')
  })
})
