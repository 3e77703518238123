import { describe, expect, it } from 'vitest'
import { parseOpening, streamUrl } from '../../../src/core/streams/address'
import { newAccessKey, newStreamId } from '../../../src/core/streams/ref'

const id = newStreamId()
const key = newAccessKey()

describe('stream addresses', () => {
  it('a URL on the Worker, ws for http and wss for https, under its prefix', () => {
    const ref = { channel_id: id, access_key: key, direction: 'write' as const }
    expect(streamUrl('https://app.example.com', ref)).toBe(`wss://app.example.com/ws/channels/${id}?key=${key}&dir=write`)
    expect(streamUrl('http://127.0.0.1:8787/api/', ref, 7)).toBe(`ws://127.0.0.1:8787/api/ws/channels/${id}?key=${key}&dir=write&from=7`)
    expect(streamUrl('wss://app.example.com/x?y=1', ref)).toBe(`wss://app.example.com/x/ws/channels/${id}?key=${key}&dir=write`)
  })

  it('an opening is read back from the path and query', () => {
    expect(parseOpening(id, { key, dir: 'read', from: '12' })).toEqual({ opening: { channelId: id, key, direction: 'read', from: 12 } })
    expect(parseOpening(id, { key, dir: 'write' })).toEqual({ opening: { channelId: id, key, direction: 'write' } })
  })

  it.each([
    ['no key', id, { dir: 'read' }, 'key'],
    ['no direction', id, { key }, 'dir'],
    ['a bad id', 'x', { key, dir: 'read' }, 'channel_id'],
    ['a negative from', id, { key, dir: 'read', from: '-1' }, 'from'],
    ['a fractional from', id, { key, dir: 'read', from: '1.5' }, 'from'],
  ])('a broken ref: %s', (_, channelId, query, field) => {
    const parsed = parseOpening(channelId, query)
    expect('issues' in parsed && parsed.issues[0]?.path?.[0]?.key).toBe(field)
  })
})
