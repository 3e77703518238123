// The Worker around seed 001's channel middleware: the tag `todos` brings
// addChannelMiddleware('todos', ...) to the channel, ahead of its own.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import './middleware'
import './todos.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels()
