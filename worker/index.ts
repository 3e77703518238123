import { channels } from 'pikku-durable-channels'
import './services'
import './chat.channel'
import { chatPage } from './page'

export { ChannelObject } from 'pikku-durable-channels'

// The channels app is a Hono app: add the page to it, or mount it in your own with app.route('/', channels()).
const app = channels()
app.get('/', (c) => c.html(chatPage))

export default app
