import type { UpgradeAuthenticator } from 'pikku-durable-channels'
import { jwt } from './jwt'

/** The seed Workers' upgrade authenticator: a session from `?token=valid:<userId>`, none without a token. */
export const authenticateFromQuery: UpgradeAuthenticator = async (request) => {
  const token = new URL(request.url).searchParams.get('token')
  return token ? jwt.verify(token) : undefined
}
