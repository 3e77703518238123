// The Worker around seed 000's action routing. Its channel keeps the default auth
// (true), so sessions come from the upgrade: `?token=valid:<userId>`.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import { authenticateFromQuery } from '../support/authenticate'
import './events.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels({ authenticate: authenticateFromQuery })
