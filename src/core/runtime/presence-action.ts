import { ChannelError } from '../errors'
import type { PresenceInput, PresenceReply } from '../protocol/frames'
import { PresenceInputSchema } from '../protocol/schemas'
import { parseWith } from '../schema'
import type { ChannelDefinition } from '../wiring/channel-definition'
import { pikkuChannelFunc } from '../wiring/function'
import type { BuiltInAction } from './built-in-actions'

/**
 * `$presence`: who is here now, and (unless `watch: false`) every change from
 * here on. It runs through the same pipeline as app actions; on a channel
 * wired without presence it answers UNKNOWN_ACTION, saying how to turn it on.
 */
export function presenceAction(channel: ChannelDefinition, watch: (channelId: string, watch: boolean) => PresenceReply | Promise<PresenceReply>): BuiltInAction {
  return {
    prepare: async (input) => {
      if (!channel.presence) throw new ChannelError('UNKNOWN_ACTION', `Channel "${channel.name}" has no presence; wire it with presence: true`)
      const data: PresenceInput = await parseWith(PresenceInputSchema, input, 'Input')
      return { data, rules: { auth: channel.presence.auth ?? channel.auth, permissions: undefined, middleware: channel.middleware } }
    },
    func: pikkuChannelFunc<PresenceInput, PresenceReply>({
      func: async ({ channel: { channelId } }, data) => watch(channelId, data.watch !== false),
    }),
  }
}
