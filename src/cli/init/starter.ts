// The starter channel `init` writes beside the user's entry: one wiring file and one
// function file, in the layout Pikku's guides use.

/** The channel's wiring file, `hello.channel.ts`. */
export const HELLO_CHANNEL = `// A starter channel from \`pikku-durable-channels init\`: one instance per room.
// Connect to /hello/<room> and send {"action":"greet","id":1,"data":{"name":"Ada"}}.
import { wireChannel } from 'pikku-durable-channels'
import { greet } from './functions/hello/greet.function'

export const helloChannel = wireChannel({
  name: 'hello',
  route: '/hello/:room',
  auth: false,
  onMessageWiring: {
    greet: { func: greet },
  },
})
`

/** The function it wires, `functions/hello/greet.function.ts`. */
export const GREET_FUNCTION = `import * as v from 'valibot'
import { pikkuChannelFunc } from 'pikku-durable-channels'

/** Greets the caller, and says which room (channel instance) answered. */
export const greet = pikkuChannelFunc<{ name: string }, { greeting: string }, { room: string }>({
  input: v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
  func: async ({ channel }, { name }) => ({ greeting: \`Hello, \${name}, from room \${channel.openingData.room}\` }),
})
`

/** What the entry needs, for a user whose entry `init` cannot edit safely. */
export function entryLines(helloImport: string): string[] {
  return [
    `import { channels } from 'pikku-durable-channels'`,
    `import '${helloImport}'`,
    `export { ChannelObject } from 'pikku-durable-channels'`,
    `// then, on your Hono app: app.route('/', channels())   (or: export default channels())`,
  ]
}
