declare namespace Cloudflare {
  interface Env {
    CHANNELS: DurableObjectNamespace<import('./fixture/worker').CountingChannelObject>
  }
  interface GlobalProps {
    mainModule: typeof import('./fixture/worker')
  }
}
