// The Worker around seed 001's action routing with auth: sessions come from the `auth` action.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import './todos.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels()
