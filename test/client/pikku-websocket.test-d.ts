import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { PikkuWebSocket as Base, type ChannelShape, type PikkuRouteHandler, type ShapeOf, type Subscription } from '../../src/client/index'
import type { EventMeta } from '../../src/client/types'
import { pikkuChannelFunc } from '../../src/core/wiring/function'
import { wireChannel } from '../../src/core/wiring/wire'
import type { clientFixtureChannel, optionalInputChannel } from './support/fixture.channel'

// Seed 001's client code, as written, against both ways of typing it: a generated
// ChannelsMap of ChannelShapes, and the wired channels' own types.

const Todo = v.object({ id: v.number(), text: v.string(), done: v.boolean() })
type Todo = v.InferOutput<typeof Todo>

const todosChannel = wireChannel({
  name: 'todos',
  route: '/todos',
  auth: false,
  topics: { 'todos:updated': { schema: v.object({ event: v.picklist(['created', 'done']), todo: Todo }) } },
  onMessageWiring: {
    create: pikkuChannelFunc({ input: v.object({ text: v.string() }), func: async (_services, { text }) => ({ todo: { id: 1, text, done: false } }) }),
    list: pikkuChannelFunc({ func: async () => ({ todos: [] as Todo[] }) }),
  },
})

// What a generator emits from JSON Schema: a type alias map ...
type ChannelsMap = {
  todos: {
    actions: { create: { input: { text: string }; output: { todo: Todo } }; list: { input: undefined; output: { todos: Todo[] } } }
    topics: { 'todos:updated': { event: 'created' | 'done'; todo: Todo } }
  }
}
// ... or interfaces, which have no implicit index signature.
interface TodosActions {
  create: { input: { text: string }; output: { todo: Todo } }
  list: { input: { limit?: number }; output: { todos: Todo[] } }
}
interface TodosTopics {
  'todos:updated': { event: 'created' | 'done'; todo: Todo }
}
interface InterfaceChannelsMap {
  todos: { actions: TodosActions; topics: TodosTopics }
}

// The generated file's binding.
class PikkuWebSocket extends Base<ChannelsMap> {}
class InterfacePikkuWebSocket extends Base<InterfaceChannelsMap> {}
class WiredPikkuWebSocket extends Base<{ todos: typeof todosChannel; fixture: typeof clientFixtureChannel }> {}

declare const ws: WebSocket

describe('the generated binding', () => {
  it('runs seed 001 as written', async () => {
    const pikku = new PikkuWebSocket(ws)
    const todosRoute = pikku.getRoute('todos')
    const result = await todosRoute.send('create', { text: 'Buy milk' })
    expectTypeOf(result).toEqualTypeOf<{ todo: Todo }>()
    todosRoute.subscribe('todos:updated', (data) => {
      expectTypeOf(data.event).toEqualTypeOf<'created' | 'done'>()
      expectTypeOf(data.todo).toEqualTypeOf<Todo>()
    })
  })

  it('takes a URL or a socket, with options, and a map written as interfaces', async () => {
    const pikku = new InterfacePikkuWebSocket('wss://host/todos', { timeoutMs: 5, routes: { todos: '/todos' } })
    const route = pikku.getRoute('todos')
    expectTypeOf(route).toEqualTypeOf<PikkuRouteHandler<{ actions: TodosActions; topics: TodosTopics }>>()
    expectTypeOf(await route.send('list')).toEqualTypeOf<{ todos: Todo[] }>()
    void new InterfacePikkuWebSocket(new URL('wss://host/todos'))
    // @ts-expect-error routes are named by the map's channels
    void new PikkuWebSocket(ws, { routes: { chat: '/chat/:room' } })
  })

  it('rejects a wrong channel, action, input and topic, and misuse of the result', async () => {
    const pikku = new PikkuWebSocket(ws)
    // @ts-expect-error no channel "chat" in the map
    pikku.getRoute('chat')
    const todos = pikku.getRoute('todos')
    // @ts-expect-error no action "delete"
    void todos.send('delete', { id: 1 })
    // @ts-expect-error text must be a string
    void todos.send('create', { text: 42 })
    // @ts-expect-error create needs its input
    void todos.send('create')
    // @ts-expect-error no topic "todos:deleted"
    todos.subscribe('todos:deleted', () => undefined)
    const { todo } = await todos.send('create', { text: 'Buy milk' })
    // @ts-expect-error the result has no "title"
    void todo.title
    todos.subscribe('todos:updated', (data) => {
      // @ts-expect-error event is a picklist, not a number
      const event: number = data.event
      void event
    })
  })

  it('lets an action without input, or with an optional one, be called without data', async () => {
    const pikku = new PikkuWebSocket(ws)
    expectTypeOf(await pikku.getRoute('todos').send('list')).toEqualTypeOf<{ todos: Todo[] }>()
    void new InterfacePikkuWebSocket(ws).getRoute('todos').send('list', { limit: 3 }, { timeoutMs: 5 })
  })

  it('types unsubscribe and the subscription handle', () => {
    const todos = new PikkuWebSocket(ws).getRoute('todos')
    const subscription = todos.subscribe('todos:updated', (_data, meta) => expectTypeOf(meta).toEqualTypeOf<EventMeta>())
    expectTypeOf(subscription).toEqualTypeOf<Subscription>()
    todos.unsubscribe('todos:updated')
    todos.unsubscribe()
    // @ts-expect-error no such topic
    todos.unsubscribe('todos:deleted')
  })
})

describe('wired channel types', () => {
  it('convert to ChannelShape through ActionsOf and TopicsOf', async () => {
    type Todos = ShapeOf<typeof todosChannel>
    expectTypeOf<Todos['actions']['create']>().toEqualTypeOf<{ input: { text: string }; output: { todo: Todo } }>()
    expectTypeOf<Todos['topics']['todos:updated']>().toEqualTypeOf<{ event: 'created' | 'done'; todo: Todo }>()
    const pikku = new WiredPikkuWebSocket(ws)
    expectTypeOf(await pikku.getRoute('todos').send('create', { text: 'Buy milk' })).toEqualTypeOf<{ todo: { id: number; text: string; done: boolean } }>()
    expectTypeOf(await pikku.getRoute('fixture').send('post', { text: 'hi' })).toEqualTypeOf<{ id: number; text: string }>()
    pikku.getRoute('fixture').subscribe('news:sports', (data) => expectTypeOf(data).toEqualTypeOf<{ headline: string }>())
    // @ts-expect-error "join" is not an action of this channel
    void pikku.getRoute('fixture').send('join', { name: 'ada' })
    // @ts-expect-error text is required
    void pikku.getRoute('fixture').send('post', {})
    // @ts-expect-error "room:typing" is not declared
    pikku.getRoute('fixture').subscribe('room:typing', () => undefined)
  })

  it('work as a generic argument directly, mixed with shapes', async () => {
    const pikku = new Base<{ list: typeof optionalInputChannel; todos: ChannelsMap['todos'] }>(ws)
    expectTypeOf(await pikku.getRoute('list').send('list')).toEqualTypeOf<{ limit: number }>()
    expectTypeOf(await pikku.getRoute('todos').send('create', { text: 'x' })).toEqualTypeOf<{ todo: Todo }>()
  })
})

describe('ChannelShape and the untyped default', () => {
  it('is the documented shape', () => {
    expectTypeOf<ChannelShape>().toEqualTypeOf<{ actions: { [action: string]: { input: unknown; output: unknown } }; topics: { [topic: string]: unknown } }>()
  })

  it('without a map, takes any channel, action and topic, with results and payloads of any type (seed 001 reads data.todo untyped)', async () => {
    const route = new Base(ws).getRoute('anything')
    expectTypeOf(await route.send('whatever', { any: 1 })).toBeAny()
    void route.send('no-input')
    route.subscribe('some:topic', (data) => {
      expectTypeOf(data).toBeAny()
      void data.event
    })
  })

  it('refuses a map entry that is neither a wired channel nor of ChannelShape’s form', () => {
    // @ts-expect-error an action entry needs input and output
    type Bad = Base<{ todos: { actions: { create: { input: string } }; topics: {} } }>
    // @ts-expect-error topics are missing
    type AlsoBad = Base<{ todos: { actions: {} } }>
    void (null as unknown as Bad | AlsoBad)
  })
})
