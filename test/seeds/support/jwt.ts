import { ChannelError } from 'pikku-durable-channels'

/**
 * The `jwt` service seed 001's complete example assumes. A stand-in for a
 * real verifier: a token `valid:<userId>` verifies, anything else is refused.
 */
export const jwt = {
  async verify(token: string): Promise<{ userId: string }> {
    if (typeof token === 'string' && token.startsWith('valid:') && token.length > 'valid:'.length) return { userId: token.slice('valid:'.length) }
    throw new ChannelError('UNAUTHENTICATED', 'That token does not verify')
  },
}

/** Seed 001's `verifyJWT(token)`, over the same stand-in. */
export const verifyJWT = (token: string) => jwt.verify(token)
