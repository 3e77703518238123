/**
 * DEMO ONLY: sign-in tokens for the reference chat, so that it shows an upgrade
 * checked by a token. A token is `<name>.<HMAC-SHA256 of it>` under a secret from
 * the Worker's `DEMO_TOKEN_SECRET` var; anyone may get one for any name from
 * `POST /demo/token`. A real app checks its identity provider's tokens instead.
 */
const encoder = new TextEncoder()

function key(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

const base64url = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const unbase64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))

/** The secret from the Worker's env; the demo's default is in wrangler.toml, in plain sight on purpose. */
export function demoSecret(env: Record<string, unknown>): string {
  const secret = env.DEMO_TOKEN_SECRET
  if (typeof secret !== 'string' || secret.length < 16) throw new Error('DEMO_TOKEN_SECRET is not set (wrangler.toml [vars]) or is shorter than 16 characters')
  return secret
}

export async function issueDemoToken(secret: string, name: string): Promise<string> {
  const payload = encodeURIComponent(name)
  return `${payload}.${base64url(await crypto.subtle.sign('HMAC', await key(secret), encoder.encode(payload)))}`
}

/** The name a token was issued for, or undefined if it is not one of ours. */
export async function verifyDemoToken(secret: string, token: string): Promise<string | undefined> {
  const dot = token.lastIndexOf('.')
  if (dot <= 0) return undefined
  const payload = token.slice(0, dot)
  try {
    const valid = await crypto.subtle.verify('HMAC', await key(secret), unbase64url(token.slice(dot + 1)), encoder.encode(payload))
    return valid ? decodeURIComponent(payload) : undefined
  } catch {
    return undefined
  }
}
