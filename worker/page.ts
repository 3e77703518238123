/** A one-file chat client over the plain WebSocket protocol (see PROTOCOL.md). */
export const chatPage = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Channels chat</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  form { display: flex; gap: .5rem; margin: .5rem 0; }
  input { flex: 1; padding: .4rem; font: inherit; }
  button { padding: .4rem .8rem; font: inherit; }
  #log { list-style: none; padding: 0; border: 1px solid #ddd; min-height: 12rem; max-height: 24rem; overflow-y: auto; }
  #log li { padding: .25rem .5rem; border-bottom: 1px solid #f0f0f0; }
  #log li.system { color: #777; font-style: italic; }
  #log li.error { color: #b00; }
  #status { font-size: .9em; color: #555; }
</style>
</head>
<body>
<h1>Channels chat</h1>
<form id="join">
  <input id="room" value="general" aria-label="Room" pattern="[a-z0-9\\-]{1,32}" required>
  <input id="name" placeholder="Your name" aria-label="Name" maxlength="32">
  <button>Join</button>
</form>
<p id="status">Not connected.</p>
<ul id="log"></ul>
<form id="say">
  <input id="text" placeholder="Message" aria-label="Message" maxlength="500" disabled>
  <button id="send" disabled>Send</button>
</form>
<script type="module">
const $ = (id) => document.getElementById(id)
let ws
let nextId = 1
const pending = new Map()

function show(text, kind) {
  const li = document.createElement('li')
  li.textContent = text
  if (kind) li.className = kind
  $('log').append(li)
  li.scrollIntoView({ block: 'nearest' })
}
const showMessage = (m) => show(new Date(m.at).toLocaleTimeString() + ' ' + m.author + ': ' + m.text)

function request(action, data) {
  const id = String(nextId++)
  ws.send(JSON.stringify({ action, id, data }))
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
}

$('join').addEventListener('submit', (event) => {
  event.preventDefault()
  ws?.close(1000)
  const room = $('room').value
  const name = $('name').value.trim()
  const url = new URL('/chat/' + encodeURIComponent(room), location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  if (name) url.searchParams.set('name', name)
  $('log').replaceChildren()
  $('status').textContent = 'Connecting to ' + room + '…'
  const socket = (ws = new WebSocket(url))
  socket.addEventListener('message', async (event) => {
    const frame = JSON.parse(event.data)
    if (frame.type === 'welcome') {
      $('status').textContent = 'In #' + frame.data.room + ' as ' + frame.data.name
      $('text').disabled = $('send').disabled = false
      const { messages } = await request('history', { limit: 50 })
      messages.forEach(showMessage)
    } else if (frame.type === 'event' && frame.topic === 'chat:message') {
      showMessage(frame.data)
    } else if (frame.type === 'event' && frame.topic === 'chat:announcement') {
      show('Announcement: ' + frame.data.text, 'system')
    } else if (frame.type === 'reply' || frame.type === 'error') {
      const waiter = pending.get(frame.id)
      pending.delete(frame.id)
      if (frame.type === 'reply') waiter?.resolve(frame.data)
      else { show(frame.error.code + ': ' + frame.error.message, 'error'); waiter?.reject(frame.error) }
    }
  })
  socket.addEventListener('close', (event) => {
    if (socket !== ws) return
    $('status').textContent = 'Disconnected (' + event.code + ').'
    $('text').disabled = $('send').disabled = true
  })
})

$('say').addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = $('text').value
  $('text').value = ''
  try { showMessage(await request('send', { text })) } catch {}
})
</script>
</body>
</html>`
