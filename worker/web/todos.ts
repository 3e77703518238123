// The room's live todo list: a second channel (/todos/:list, ../todos.channel.ts) on its
// own socket, through the same generated typed client. The list renders from the
// `todos:updated` events (replayed after a reconnect), so every page shows the same list.
import { PikkuWebSocket } from '#pikku/pikku-websocket.gen.js'
import type { ChannelsMap } from '#pikku/pikku-websocket.gen.js'

type Todo = ChannelsMap['todos']['topics']['todos:updated']['todo']

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

/** The items on screen by id: a todo arrives as the answer to a list and as events, in any order. */
const shown = new Map<Todo['id'], HTMLLIElement>()
let current: PikkuWebSocket | undefined

function showTodo(todo: Todo): void {
  let li = shown.get(todo.id)
  if (!li) {
    li = document.createElement('li')
    shown.set(todo.id, li)
    $('todo-list').append(li)
  }
  const box = document.createElement('input')
  box.type = 'checkbox'
  box.checked = todo.done
  box.disabled = todo.done
  box.setAttribute('aria-label', `Done: ${todo.title}`)
  box.addEventListener('change', () => {
    box.disabled = true
    current?.getRoute('todos').send('complete', { id: todo.id }).then(showTodo, showError)
  })
  const title = document.createElement('span')
  title.textContent = todo.title
  li.className = todo.done ? 'done' : ''
  li.replaceChildren(box, title)
}

function showError(error: unknown): void {
  const { code, message } = error as { code?: string; message: string }
  $('todo-error').textContent = `${code ?? 'ERROR'}: ${message}`
}

function setAdding(enabled: boolean): void {
  $<HTMLInputElement>('todo-title').disabled = !enabled
  $<HTMLButtonElement>('todo-add').disabled = !enabled
}

/** Opens the list named after the room, closing the one shown before. */
export async function openTodos(list: string): Promise<void> {
  current?.close()
  shown.clear()
  $('todo-list').replaceChildren()
  $('todo-error').textContent = ''
  setAdding(false)
  const url = new URL(`/todos/${encodeURIComponent(list)}`, location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const socket = (current = new PikkuWebSocket(url, { routes: { todos: '/todos/:list' } }))
  socket.onStateChange((state) => {
    if (socket === current) setAdding(state === 'open')
  })
  const todos = socket.getRoute('todos')
  todos.subscribe('todos:updated', ({ todo }) => showTodo(todo))
  await socket.ready()
  if (socket !== current) return
  const { todos: all } = await todos.send('list', {})
  all.forEach(showTodo)
}

$('add-todo').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = $<HTMLInputElement>('todo-title')
  const title = input.value
  input.value = ''
  $('todo-error').textContent = ''
  current?.getRoute('todos').send('create', { title }).then(showTodo, showError)
})
