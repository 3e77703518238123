// The Worker: the generated bootstrap registers the services and every *.channel.ts, then channels() routes them.
import '#pikku/pikku-bootstrap.gen.js'
import { channels } from '#pikku/pikku-types.gen.js'
import { demoSecret, issueDemoToken } from './demo-tokens'

export { ChannelObject } from '#pikku/pikku-types.gen.js'

// The channels app is a Hono app: the Worker's own routes go on it (or mount it in yours with app.route('/', channels())).
// The page at / is a static asset (worker/web, built into worker/public by wrangler.toml's [build]).
const app = channels()

// DEMO ONLY: a sign-in token for any name, so the chat can show an upgrade checked by a token (see demo-tokens.ts).
app.post('/demo/token', async (c) => {
  const name = c.req.query('name')?.trim() ?? ''
  if (name.length < 1 || name.length > 32) return c.json({ error: { code: 'INVALID_INPUT', message: 'Give a name of 1 to 32 characters: POST /demo/token?name=Ada' } }, 400)
  return c.json({ token: await issueDemoToken(demoSecret(c.env ?? {}), name), name })
})

export default app
