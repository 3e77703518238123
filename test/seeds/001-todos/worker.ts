// The Worker around seed 001's basic channel; sessions from `?token=valid:<userId>`.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import { authenticateFromQuery } from '../support/authenticate'
import './todos.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels({ authenticate: authenticateFromQuery })
