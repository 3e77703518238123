// The Worker around seed 001's complete chat example.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import './wirings/chat.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels()
