// The Worker: the generated bootstrap registers the services and every *.channel.ts, then channels() routes them.
import '#pikku/pikku-bootstrap.gen.js'
import { channels } from '#pikku/pikku-types.gen.js'
import { chatPage } from './page'

export { ChannelObject } from '#pikku/pikku-types.gen.js'

// The channels app is a Hono app: add the page to it, or mount it in your own with app.route('/', channels()).
const app = channels()
app.get('/', (c) => c.html(chatPage))

export default app
