import WebSocket from 'ws'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createClient, type ChannelClient } from '../../src/client/channel-client'
import { httpGet, randomRoom, wsUrl } from './support/client'

// The reference chat's sign-in (a demo token checked at the upgrade), edit-own-message and
// typing through presence, on the shared wrangler dev with the typed client.

const baseUrl = inject('baseUrl')
const clients: ChannelClient[] = []

async function token(name: string): Promise<string> {
  const response = await fetch(`${baseUrl}/demo/token?name=${encodeURIComponent(name)}`, { method: 'POST' })
  expect(response.status).toBe(200)
  return ((await response.json()) as { token: string }).token
}

async function signedIn(room: string, name: string): Promise<ChannelClient> {
  const client = createClient(wsUrl(baseUrl, `/chat/${room}?token=${encodeURIComponent(await token(name))}`), { WebSocket: WebSocket as never, keepaliveMs: false })
  clients.push(client)
  await client.ready()
  return client
}

afterAll(() => {
  for (const client of clients) client.close()
})

describe('the chat, signed in', () => {
  it('takes a valid token at the upgrade (the session names the user) and refuses a forged one with 401', async () => {
    const room = randomRoom('signin')
    const ada = await signedIn(room, 'Ada')
    expect(ada.welcome).toStrictEqual({ room, name: 'Ada' })
    const forged = `${encodeURIComponent('Mallory')}.${(await token('Ada')).split('.')[1]}`
    const refused = await httpGet(wsUrl(baseUrl, `/chat/${room}?token=${encodeURIComponent(forged)}`).replace('ws', 'http'), { upgrade: true })
    expect(refused.status).toBe(401)
    expect(refused.json).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('/demo/token') } })
    expect((await fetch(`${baseUrl}/demo/token`, { method: 'POST' })).status).toBe(400)
  })

  it('counts a user on two tabs once, edits only your own messages, and shows who is typing', async () => {
    const room = randomRoom('edit')
    const ada = await signedIn(room, 'Ada')
    const adaTab = await signedIn(room, 'Ada')
    const bob = await signedIn(room, 'Bob')
    const views: { count: number; members: { id: string; connections: number; data: unknown }[] }[] = []
    ada.onPresence((view) => views.push(structuredClone(view) as never))
    await expect.poll(() => views.at(-1)?.count).toBe(2)
    expect(views.at(-1)!.members.find((m) => m.id === 'Ada')).toMatchObject({ connections: 2 })

    const edits: unknown[] = []
    bob.subscribe('chat:edited', (message) => edits.push(message))
    const sent = (await ada.send('send', { text: 'helo' })) as { id: number }
    expect(await ada.send('edit', { id: sent.id, text: 'hello' })).toMatchObject({ id: sent.id, author: 'Ada', text: 'hello' })
    await expect.poll(() => edits).toEqual([expect.objectContaining({ id: sent.id, text: 'hello' })])
    await expect(bob.send('edit', { id: sent.id, text: 'mine now' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(bob.send('edit', { id: 99_999, text: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(((await bob.send('history', {})) as { messages: { text: string }[] }).messages.map((m) => m.text)).toStrictEqual(['hello'])

    await bob.send('typing', { typing: true })
    await expect.poll(() => views.at(-1)?.members.find((m) => m.id === 'Bob')?.data).toStrictEqual({ name: 'Bob', typing: true })
    await bob.send('typing', { typing: false })
    await expect.poll(() => views.at(-1)?.members.find((m) => m.id === 'Bob')?.data).toStrictEqual({ name: 'Bob', typing: false })
    adaTab.close()
    await expect.poll(() => views.at(-1)?.members.find((m) => m.id === 'Ada')?.connections).toBe(1)
  })
})
