// The panel against a fake server: resume with after_seq after a
// reconnect, an offline outbox sent once with its client_msg_id, live
// frames merged without duplicates, and identity refusals that fail visibly.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { kvTokens, memory } from '../src/panel/storage'
import type { Message } from '../src/panel/types'
import type { PanelMsg } from '../src/shared/protocol'
import { FakeWS, msg, until, visitor } from './helpers'

const config = {
  business_name: 'Acme',
  widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: 'Hello!', greeting_identified: 'Hi {name}!', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
  offline_message: 'Away',
  agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
  within_business_hours: true,
}

interface Call {
  method: string
  url: string
  body: Record<string, unknown> | undefined
}

function server() {
  const calls: Call[] = []
  const stored: Message[] = [msg(1), msg(2, visitor)]
  let down = false
  let messagesDown = false
  let sessionStatus = 200
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const u = new URL(url)
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method: init.method || 'GET', url: u.pathname + u.search, body })
    if (down) throw new TypeError('Failed to fetch')
    if (u.pathname.endsWith('/session')) {
      if (sessionStatus !== 200) return json(sessionStatus, { code: 'unauthenticated', detail: 'bad user_hash' })
      return json(200, { visitor_token: 'tok', visitor: { id: 'v1', verified: false }, config })
    }
    if (u.pathname === '/api/v1/widget/conversations' && init.method === 'GET')
      return json(200, { conversations: [{ id: 'c1', status: 'open', last_seq: stored.length, agent_read_seq: 0, visitor_read_seq: 0, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:00:00Z' }] })
    if (u.pathname === '/api/v1/widget/conversations/c1/messages' && init.method === 'GET') {
      if (messagesDown) return json(503, { code: 'unavailable' })
      const after = Number(u.searchParams.get('after_seq'))
      return json(200, { messages: stored.filter((m) => m.seq > after), has_more: false })
    }
    if (u.pathname === '/api/v1/widget/conversations/c1/messages' && init.method === 'POST') {
      const dup = stored.find((m) => m.client_msg_id === body.client_msg_id)
      if (dup) return json(200, dup)
      const m = msg(stored.length + 1, visitor, { body: body.body, client_msg_id: body.client_msg_id })
      stored.push(m)
      return json(201, m)
    }
    if (u.pathname.endsWith('/read')) return new Response(null, { status: 204 })
    if (u.pathname === '/api/v1/widget/visitor') return json(200, { id: 'v1', verified: false })
    return json(404, { code: 'not_found' })
  })
  return {
    calls,
    stored,
    fetch,
    setDown: (d: boolean) => (down = d),
    setMessagesDown: (d: boolean) => (messagesDown = d),
    setSession: (s: number) => (sessionStatus = s),
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('panel', () => {
  let srv: ReturnType<typeof server>
  let hostMsgs: PanelMsg[]
  let root: HTMLElement

  beforeEach(() => {
    FakeWS.all = []
    srv = server()
    vi.stubGlobal('fetch', srv.fetch)
    vi.stubGlobal('WebSocket', FakeWS)
    hostMsgs = []
    root = document.createElement('div')
    document.body.replaceChildren(root)
  })
  const panels: Panel[] = []
  afterEach(() => {
    panels.splice(0).forEach((p) => p.destroy())
    vi.unstubAllGlobals()
  })

  const make = (kv = memory()) => {
    const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv, tokens: kvTokens(kv, 'parley:wk_1:visitor'), host: (m) => hostMsgs.push(m), embedded: true, root })
    panels.push(p)
    return p
  }
  const bubbles = () => [...root.querySelectorAll('.log .b')].map((b) => b.textContent)

  it('says when a conversation cannot be loaded, and loads it on the next connection', async () => {
    srv.setMessagesDown(true)
    const p = make()
    p.init(null, {}, false, 'https://tenant.example/page', true, false)
    await until(() => root.querySelector('.note.err') !== null, 'the error note')
    expect(root.querySelector('.note.err')!.textContent).toBe('The chat is unavailable right now. Please try again later.')
    expect(bubbles()).toHaveLength(0)
    srv.setMessagesDown(false)
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' })
    await until(() => bubbles().length === 2, 'the history after reconnecting')
    expect(root.querySelector('.note.err')).toBeNull()
  })

  it('resumes after a reconnect with after_seq and sends offline messages once', async () => {
    const p = make()
    p.init(null, { plan: 'pro' }, false, 'https://tenant.example/page', true, false)
    await until(() => bubbles().length === 2, 'history')
    expect(root.querySelector('h1')!.textContent).toBe('Acme')
    expect(root.textContent).toContain('Alice')
    expect(FakeWS.all).toHaveLength(1)
    expect(FakeWS.all[0].url).toBe('wss://chat.example/api/v1/ws?access_token=tok')
    const ws = FakeWS.all[0]
    ws.frame({ type: 'hello', role: 'visitor' })
    await tick()

    // A live agent message; a duplicate frame changes nothing.
    const m3 = msg(3)
    srv.stored.push(m3)
    ws.frame({ type: 'message.created', message: m3 })
    ws.frame({ type: 'message.created', message: m3 })
    await until(() => bubbles().length === 3, 'live message')
    expect(hostMsgs.filter((m) => m.type === 'message')).toHaveLength(1)
    // It is read at once (the panel is open), over the socket.
    expect(ws.sent).toContainEqual({ type: 'read', conversation_id: 'c1', seq: 3 })

    // Connection lost; the agent writes twice meanwhile; the visitor types.
    ws.close()
    srv.setDown(true)
    srv.stored.push(msg(4), msg(5))
    const input = root.ownerDocument.querySelector('textarea')!
    input.value = 'typed while offline'
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await until(() => srv.calls.some((c) => c.method === 'POST' && c.url.endsWith('/messages')), 'first attempt')
    await until(() => root.textContent!.includes('Waiting for connection'), 'queued state')
    const cmid = srv.calls.find((c) => c.method === 'POST' && c.url.endsWith('/messages'))!.body!.client_msg_id

    // Back online: the socket reconnects, the panel fetches after seq 3 and
    // flushes the outbox with the same client_msg_id.
    srv.setDown(false)
    await until(() => FakeWS.all.length === 2, 'reconnect')
    FakeWS.all[1].frame({ type: 'hello', role: 'visitor' })
    await until(() => bubbles().includes('typed while offline') && bubbles().includes('message 5'), 'resume')
    expect(srv.calls.some((c) => c.url === '/api/v1/widget/conversations/c1/messages?after_seq=3')).toBe(true)
    const posts = srv.calls.filter((c) => c.method === 'POST' && c.url.endsWith('/messages'))
    expect(new Set(posts.map((c) => c.body!.client_msg_id))).toEqual(new Set([cmid]))
    expect(srv.stored.filter((m) => m.client_msg_id === cmid)).toHaveLength(1)

    // Its live echo does not add a second bubble.
    FakeWS.all[1].frame({ type: 'message.created', message: srv.stored.find((m) => m.client_msg_id === cmid) })
    await tick()
    expect(bubbles().filter((b) => b === 'typed while offline')).toHaveLength(1)

    // A gap in live frames triggers a fetch from the last contiguous seq.
    const m8 = msg(8)
    srv.stored.push(msg(7), m8)
    FakeWS.all[1].frame({ type: 'message.created', message: m8 })
    await until(() => bubbles().includes('message 7'), 'gap filled')
    expect(srv.calls.some((c) => c.url === '/api/v1/widget/conversations/c1/messages?after_seq=6')).toBe(true)

    // The visitor's attributes reach agents once a conversation exists.
    expect(srv.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ attributes: { plan: 'pro' }, current_url: 'https://tenant.example/page' })
  })

  it('shows typing and read receipts from the agent', async () => {
    const p = make()
    p.init(null, {}, false, '', true, false)
    await until(() => bubbles().length === 2, 'history')
    const ws = FakeWS.all[0]
    ws.frame({ type: 'hello', role: 'visitor' })
    ws.frame({ type: 'typing', conversation_id: 'c1', author: { type: 'agent', id: 'a1', name: 'Alice' }, typing: true })
    await until(() => root.querySelector('.typing')!.textContent === 'Alice is typing…', 'typing')
    ws.frame({ type: 'read', conversation_id: 'c1', reader: { type: 'agent', id: 'a1' }, seq: 2 })
    await until(() => root.querySelectorAll('.seen').length === 1, 'seen')
  })

  it('counts unread messages for the launcher badge while hidden', async () => {
    const p = make()
    p.init(null, {}, false, '', false, false)
    await until(() => bubbles().length === 2, 'history')
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' })
    const m3 = msg(3)
    FakeWS.all[0].frame({ type: 'message.created', message: m3 })
    await until(() => hostMsgs.some((m) => m.type === 'unread' && m.count > 0), 'badge')
    p.setVisible(true)
    await until(() => hostMsgs[hostMsgs.length - 1].type === 'unread' && (hostMsgs[hostMsgs.length - 1] as { count: number }).count === 0, 'badge cleared')
  })

  it('fails visibly when the identity is refused, and shows no history', async () => {
    srv.setSession(401)
    const kv = memory()
    // A token from an earlier, verified visit of the same user id.
    kv.set('parley:wk_1:visitor', JSON.stringify({ token: 'old', visitor: 'v9', identity: 'u-42' }))
    const p = make(kv)
    p.init({ id: 'u-42', name: 'Ada', user_hash: 'deadbeef' }, {}, false, '', true, false)
    await until(() => hostMsgs.some((m) => m.type === 'error'), 'error')
    expect(hostMsgs.find((m) => m.type === 'error')).toMatchObject({ code: 'unauthenticated' })
    expect(root.querySelector('[role=alert]')!.textContent).toContain('couldn’t verify')
    expect(srv.calls.some((c) => c.url.includes('/conversations'))).toBe(false)
    expect(FakeWS.all).toHaveLength(0)
    expect(kv.get('parley:wk_1:visitor')).toBeNull()
  })

  it('drops an identified token after logout (no identity)', async () => {
    const kv = memory()
    kv.set('parley:wk_1:visitor', JSON.stringify({ token: 'ada-token', visitor: 'v9', identity: 'u-42' }))
    const p = make(kv)
    p.init(null, {}, false, '', true, false)
    await until(() => srv.calls.some((c) => c.url.endsWith('/session')), 'session')
    expect(srv.calls[0].body).toEqual({})
  })
})
