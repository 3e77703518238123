// The Worker around seed 000's action routing. Its channel keeps the default auth
// (true), so sessions come from the upgrade: `?token=valid:<userId>`.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import { jwt } from '../support/jwt'
import './events.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels({
  authenticate: async (request) => {
    const token = new URL(request.url).searchParams.get('token')
    return token ? jwt.verify(token) : undefined
  },
})
