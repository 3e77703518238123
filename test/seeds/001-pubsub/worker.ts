// The Worker around seed 001's pub/sub example; `create` is a pikkuFunc, so
// sessions come from the upgrade: `?token=valid:<userId>`.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import { authenticateFromQuery } from '../support/authenticate'
import './todos.channel'
import './pikku-publish.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels({ authenticate: authenticateFromQuery })
