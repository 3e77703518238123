declare namespace Cloudflare {
  interface Env {
    CHANNELS: DurableObjectNamespace<import('pikku-durable-channels').ChannelObject>
  }
  interface GlobalProps {
    mainModule: { default: { fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response> } }
  }
}
