import { ChannelError, type UpgradeContext } from 'pikku-durable-channels'
import { demoSecret, verifyDemoToken } from '../../demo-tokens'

/**
 * Checks the sign-in token of an upgrade (`/chat/:room?token=...`), before any
 * socket exists: a valid one makes the session `{ userId: name }`; none leaves
 * the connection anonymous, named by `?name=`; a bad one is refused with 401.
 */
export async function authenticateChat(request: Request, { env }: UpgradeContext) {
  const token = new URL(request.url).searchParams.get('token')
  if (token === null) return undefined
  const name = await verifyDemoToken(demoSecret(env), token)
  if (name === undefined) throw new ChannelError('UNAUTHENTICATED', 'This sign-in token is not valid: get a new one (the demo issues them at POST /demo/token?name=...)')
  return { userId: name }
}
