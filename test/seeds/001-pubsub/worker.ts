// The Worker around seed 001's pub/sub example; `create` is a pikkuFunc, so
// sessions come from the upgrade: `?token=valid:<userId>`.
import { channels } from 'pikku-durable-channels'
import '../support/services'
import { jwt } from '../support/jwt'
import './todos.channel'
import './pikku-publish.channel'

export { ChannelObject } from 'pikku-durable-channels'

export default channels({
  authenticate: async (request) => {
    const token = new URL(request.url).searchParams.get('token')
    return token ? jwt.verify(token) : undefined
  },
})
