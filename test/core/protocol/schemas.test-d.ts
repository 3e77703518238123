import type * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import type * as F from '../../../src/core/protocol/frames'
import type * as S from '../../../src/core/protocol/schemas'

// Each frame's valibot schema is the same type as the frame itself: a field
// added to one and not the other fails here, not in a client at run time.
describe('protocol schemas match the frame types', () => {
  it('errors', () => {
    expectTypeOf<v.InferOutput<typeof S.RequestIdSchema>>().toEqualTypeOf<F.RequestId>()
    expectTypeOf<v.InferOutput<typeof S.ErrorCodeSchema>>().toEqualTypeOf<F.ErrorCode>()
    expectTypeOf<v.InferOutput<typeof S.ErrorIssueSchema>>().toEqualTypeOf<F.ErrorIssue>()
    expectTypeOf<v.InferOutput<typeof S.ErrorPayloadSchema>>().toEqualTypeOf<F.ErrorPayload>()
  })

  it('client to server', () => {
    expectTypeOf<v.InferOutput<typeof S.ActionFrameSchema>>().toEqualTypeOf<F.ActionFrame>()
    expectTypeOf<v.InferOutput<typeof S.SubscribeInputSchema>>().toEqualTypeOf<F.SubscribeInput>()
    expectTypeOf<v.InferOutput<typeof S.SubscribeReplySchema>>().toEqualTypeOf<F.SubscribeReply>()
    expectTypeOf<v.InferOutput<typeof S.UnsubscribeInputSchema>>().toEqualTypeOf<F.UnsubscribeInput>()
    expectTypeOf<v.InferOutput<typeof S.UnsubscribeReplySchema>>().toEqualTypeOf<F.UnsubscribeReply>()
    expectTypeOf<v.InferOutput<typeof S.PresenceInputSchema>>().toEqualTypeOf<F.PresenceInput>()
    expectTypeOf<v.InferOutput<typeof S.PresenceMemberSchema>>().toEqualTypeOf<F.PresenceMember>()
    expectTypeOf<v.InferOutput<typeof S.PresenceReplySchema>>().toEqualTypeOf<F.PresenceReply>()
  })

  it('server to client', () => {
    expectTypeOf<v.InferOutput<typeof S.WelcomeFrameSchema>>().toEqualTypeOf<F.WelcomeFrame>()
    expectTypeOf<v.InferOutput<typeof S.ReplyFrameSchema>>().toEqualTypeOf<F.ReplyFrame>()
    expectTypeOf<v.InferOutput<typeof S.ErrorFrameSchema>>().toEqualTypeOf<F.ErrorFrame>()
    expectTypeOf<v.InferOutput<typeof S.MessageFrameSchema>>().toEqualTypeOf<F.MessageFrame>()
    expectTypeOf<v.InferOutput<typeof S.EventFrameSchema>>().toEqualTypeOf<F.EventFrame>()
    expectTypeOf<v.InferOutput<typeof S.BinaryEventHeaderSchema>>().toEqualTypeOf<F.BinaryEventHeader>()
    expectTypeOf<v.InferOutput<typeof S.PresenceFrameSchema>>().toEqualTypeOf<F.PresenceFrame>()
    expectTypeOf<v.InferOutput<typeof S.PongFrameSchema>>().toEqualTypeOf<F.PongFrame>()
    expectTypeOf<v.InferOutput<typeof S.ServerFrameSchema>>().toEqualTypeOf<F.ServerFrame>()
  })
})
