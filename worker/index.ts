// The Worker: the generated bootstrap registers the services and every *.channel.ts, then channels() routes them.
import '#pikku/pikku-bootstrap.gen.js'
import { channels } from '#pikku/pikku-types.gen.js'

export { ChannelObject } from '#pikku/pikku-types.gen.js'

// The channels app is a Hono app: use it as the Worker, or mount it in your own with app.route('/', channels()).
// The page at / is a static asset (worker/web, built into worker/public by wrangler.toml's [build]).
export default channels()
