// Issue 10: the visitor token kept by the host page (through the loader),
// revoked on reset; deep links, the list of conversations, "Email me this
// conversation", and the panel defects (scroll, the closed note, the header
// of a refused identity).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { hostTokens, memory } from '../src/panel/storage'
import type { Conversation, Message } from '../src/panel/types'
import type { PanelMsg, Saved } from '../src/shared/protocol'
import { FakeWS, msg, until, visitor } from './helpers'

const config = {
  business_name: 'Acme',
  widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: '', greeting_identified: '', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
  offline_message: '',
  agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
  within_business_hours: true,
}

const conv = (id: string, over: Partial<Conversation> = {}): Conversation =>
  ({ id, status: 'open', last_seq: 1, agent_read_seq: 0, visitor_read_seq: 0, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:00:00Z', ...over }) as Conversation

interface Call {
  method: string
  path: string
  auth: string
  body: Record<string, unknown> | undefined
}

function server(convs: Conversation[], msgs: Record<string, Message[]>) {
  const calls: Call[] = []
  let transcript = 202
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const u = new URL(url)
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    const method = init.method || 'GET'
    calls.push({ method, path: u.pathname, auth: (init.headers as Record<string, string>).Authorization || '', body })
    const p = u.pathname
    if (p.endsWith('/session')) return json(200, { visitor_token: 'renewed', visitor: { id: 'v1', verified: false, email: 'ann@example.com' }, config })
    if (p === '/api/v1/widget/session/revoke') return new Response(null, { status: 204 })
    if (p === '/api/v1/widget/conversations' && method === 'GET') return json(200, { conversations: convs })
    if (p === '/api/v1/widget/conversations' && method === 'POST') {
      const c = conv('c-new')
      convs.push(c)
      return json(201, { conversation: c, message: msg(1, visitor, { conversation_id: 'c-new', body: body.body, client_msg_id: body.client_msg_id }) })
    }
    const m = /^\/api\/v1\/widget\/conversations\/([^/]+)\/(messages|transcript|read)$/.exec(p)
    if (m && m[2] === 'messages') return json(200, { messages: msgs[m[1]] || [], has_more: false })
    if (m && m[2] === 'transcript') {
      if (transcript === 202) return new Response(null, { status: 202 })
      if (transcript === 400) return json(400, { code: 'invalid', detail: 'email: not a valid email address' })
      return json(transcript, { code: 'unavailable', detail: 'email is not available' })
    }
    if (m) return new Response(null, { status: 204 })
    if (p === '/api/v1/widget/visitor') return json(200, { id: 'v1', verified: false })
    return json(404, { code: 'not_found' })
  })
  return { calls, fetch, setTranscript: (s: number) => (transcript = s) }
}

describe('continuity', () => {
  let root: HTMLElement
  let hostMsgs: PanelMsg[]
  const panels: Panel[] = []

  beforeEach(() => {
    FakeWS.all = []
    vi.stubGlobal('WebSocket', FakeWS)
    hostMsgs = []
    root = document.createElement('div')
    document.body.replaceChildren(root)
  })
  afterEach(() => {
    panels.splice(0).forEach((p) => p.destroy())
    vi.unstubAllGlobals()
  })

  const make = (srv: ReturnType<typeof server>, saved: Saved | null) => {
    vi.stubGlobal('fetch', srv.fetch)
    const host = (m: PanelMsg) => hostMsgs.push(m)
    const tokens = hostTokens((s) => host({ parley: 1, type: 'token', saved: s }))
    tokens.load(saved)
    const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens, host, embedded: true, root })
    panels.push(p)
    return p
  }
  const tokenMsgs = () => hostMsgs.filter((m) => m.type === 'token') as { saved: Saved | null }[]
  const bubbles = () => [...root.querySelectorAll('.log .b')].map((b) => b.textContent)

  it('resumes with the token the host page kept, and hands the renewed one back', async () => {
    const srv = server([conv('c1')], { c1: [msg(1)] })
    const p = make(srv, { token: 'kept', visitor: 'v1', identity: null })
    p.init(null, {}, false, '', false, false)
    await until(() => tokenMsgs().length === 1, 'the renewed token')
    expect(srv.calls.find((c) => c.path.endsWith('/session'))!.body).toEqual({ visitor_token: 'kept' })
    expect(tokenMsgs()[0].saved).toEqual({ token: 'renewed', visitor: 'v1', identity: null })
  })

  it('stores nothing on the host page until the visitor has a conversation', async () => {
    const srv = server([], {})
    const p = make(srv, null)
    p.init(null, {}, false, '', true, false)
    await until(() => root.querySelector('form.cmp textarea') !== null && srv.calls.some((c) => c.path === '/api/v1/widget/conversations'), 'ready')
    await until(() => FakeWS.all.length === 1, 'socket')
    expect(tokenMsgs()).toHaveLength(0)
    const input = root.querySelector('textarea')!
    input.value = 'hello'
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await until(() => tokenMsgs().length === 1, 'the token stored after the first message')
    expect(tokenMsgs()[0].saved).toMatchObject({ token: 'renewed', visitor: 'v1' })
  })

  it("sends the visitor's time zone, language and page with the first message, so the bot's first answer uses them", async () => {
    const srv = server([], {})
    const p = make(srv, null)
    p.init(null, {}, false, 'https://shop.example/boots', true, false)
    await until(() => root.querySelector('form.cmp textarea') !== null && srv.calls.some((c) => c.path === '/api/v1/widget/conversations'), 'ready')
    const input = root.querySelector('textarea')!
    input.value = 'Can I book a fitting?'
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await until(() => srv.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/widget/conversations'), 'the first message')
    const start = srv.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/widget/conversations')!
    expect(start.body).toMatchObject({ body: 'Can I book a fitting?', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, locale: navigator.language, current_url: 'https://shop.example/boots' })
  })

  it('reset revokes the token on the server and forgets it on the host page', async () => {
    const srv = server([conv('c1')], { c1: [msg(1)] })
    const p = make(srv, { token: 'kept', visitor: 'v1', identity: null })
    p.init(null, {}, false, '', true, false)
    await until(() => bubbles().length === 1, 'history')
    p.reset()
    await until(() => srv.calls.some((c) => c.path === '/api/v1/widget/session/revoke'), 'revoke')
    expect(srv.calls.find((c) => c.path === '/api/v1/widget/session/revoke')!.auth).toBe('Bearer renewed')
    expect(tokenMsgs().some((m) => m.saved === null)).toBe(true)
    // The next session starts without any token.
    await until(() => srv.calls.filter((c) => c.path.endsWith('/session')).length === 2, 'new session')
    expect(srv.calls.filter((c) => c.path.endsWith('/session'))[1].body).toEqual({})
  })

  it('a reset asked for before the panel loaded revokes the token the host page had', async () => {
    const srv = server([], {})
    const p = make(srv, { token: 'kept', visitor: 'v1', identity: null })
    p.init(null, {}, false, '', false, true)
    await until(() => srv.calls.some((c) => c.path === '/api/v1/widget/session/revoke'), 'revoke')
    expect(srv.calls.find((c) => c.path === '/api/v1/widget/session/revoke')!.auth).toBe('Bearer kept')
    await until(() => srv.calls.some((c) => c.path.endsWith('/session')), 'session')
    expect(srv.calls.find((c) => c.path.endsWith('/session'))!.body).toEqual({})
  })

  it('lists several conversations (last message, time, unread) and starts a new one', async () => {
    const last = { seq: 2, author: { type: 'agent' as const, id: 'a1', name: 'Alice' }, body: 'Your order shipped', created_at: '2026-03-02T11:00:00Z' }
    const srv = server([conv('c1', { last_seq: 2, last_message: last, last_activity_at: '2026-03-02T11:00:00Z' }), conv('c2', { last_activity_at: '2026-03-01T09:00:00Z' })], {})
    const p = make(srv, null)
    p.init(null, {}, false, '', true, false)
    await until(() => root.querySelectorAll('.convs li').length === 2, 'the list')
    const first = root.querySelector('.convs li .cv')!
    expect(first.classList.contains('un')).toBe(true)
    expect(first.querySelector('.pv')!.textContent).toBe('Your order shipped')
    expect(first.querySelector('time')!.getAttribute('datetime')).toBe('2026-03-02T11:00:00Z')
    ;(root.querySelector('button.primary') as HTMLButtonElement).click()
    await until(() => root.querySelector('.convs') === null && !(root.querySelector('form.cmp') as HTMLElement).hidden, 'a new conversation')
  })

  it('a deep link opens its conversation', async () => {
    const srv = server([conv('c1'), conv('c2', { last_activity_at: '2026-03-01T09:00:00Z' })], { c2: [msg(1, undefined, { conversation_id: 'c2', body: 'from the email' })] })
    const p = make(srv, null)
    p.init(null, {}, false, '', true, false, 'c2')
    await until(() => bubbles().includes('from the email'), 'the linked conversation')
  })

  it('emails the conversation: success on 202, clear messages on 503 and 400', async () => {
    const srv = server([conv('c1')], { c1: [msg(1)] })
    const p = make(srv, null)
    p.init(null, {}, false, '', true, false)
    await until(() => bubbles().length === 1, 'history')
    const link = () => root.querySelector('[data-fid=tx]') as HTMLButtonElement
    const submit = () => root.querySelector('form.tx')!.dispatchEvent(new Event('submit', { cancelable: true }))
    const note = () => root.querySelector('#txn')!.textContent

    srv.setTranscript(503)
    link().click()
    await until(() => (root.querySelector('#txe') as HTMLInputElement | null)?.value === 'ann@example.com', 'the email, prefilled')
    submit()
    await until(() => note() === 'Email is not available right now.', '503 message')

    srv.setTranscript(400)
    submit()
    await until(() => note() === 'email: not a valid email address', '400 message')

    srv.setTranscript(202)
    submit()
    await until(() => root.querySelector('.tx [role=status]')?.textContent === 'Sent to ann@example.com.', 'success')
    expect(srv.calls.filter((c) => c.path === '/api/v1/widget/conversations/c1/transcript').at(-1)!.body).toEqual({ email: 'ann@example.com' })
  })

  it('says a closed conversation can be reopened below the history, by the composer', async () => {
    const srv = server([conv('c1', { status: 'resolved' })], { c1: [msg(1), msg(2)] })
    const p = make(srv, null)
    p.init(null, {}, false, '', true, false)
    await until(() => bubbles().length === 2, 'history')
    const kids = [...root.querySelector('main')!.firstElementChild!.children]
    const note = kids.findIndex((k) => k.textContent === 'This conversation is closed. Reply to reopen it.')
    const log = kids.findIndex((k) => k.classList.contains('log'))
    expect(note).toBeGreaterThan(log)
  })

  it('keeps the newest message in view when content grows after layout', async () => {
    const observers: (() => void)[] = []
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(private cb: () => void) {
          observers.push(() => this.cb())
        }
        observe() {}
        disconnect() {}
      },
    )
    const srv = server([conv('c1')], { c1: [msg(1)] })
    const p = make(srv, null)
    const main = root.querySelector('main')!
    let height = 500
    Object.defineProperty(main, 'scrollHeight', { get: () => height })
    Object.defineProperty(main, 'clientHeight', { get: () => 300 })
    p.init(null, {}, false, '', true, false)
    await until(() => bubbles().length === 1, 'history')
    expect(main.scrollTop).toBe(500)
    // A card's image loads: the log grows with no new render.
    height = 900
    observers.forEach((o) => o())
    expect(main.scrollTop).toBe(900)
    // The visitor scrolls up to read: growth no longer moves the view.
    main.scrollTop = 100
    main.dispatchEvent(new Event('scroll'))
    height = 1200
    observers.forEach((o) => o())
    expect(main.scrollTop).toBe(100)
  })

  it('a refused identity still shows the tenant name in the header', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ code: 'unauthenticated', detail: 'identity verification failed' }), { status: 401 }))
    const tokens = hostTokens(() => {})
    const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens, host: (m) => hostMsgs.push(m), embedded: true, root })
    panels.push(p)
    p.named('Acme Outdoor')
    p.init({ id: 'u1', user_hash: 'bad' }, {}, false, '', true, false)
    await until(() => hostMsgs.some((m) => m.type === 'error'), 'the error')
    await until(() => root.querySelector('h1')!.textContent === 'Acme Outdoor', 'the header')
  })
})

describe('a token refused mid-session', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('starts a new session when a visitor route answers 401', async () => {
    FakeWS.all = []
    vi.stubGlobal('WebSocket', FakeWS)
    const root = document.createElement('div')
    document.body.replaceChildren(root)
    let sessions = 0
    let refuse = false
    const sent: (string | undefined)[] = []
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const p = new URL(url).pathname
      const auth = (init.headers as Record<string, string>).Authorization
      if (p.endsWith('/session')) {
        sent.push(JSON.parse(String(init.body)).visitor_token)
        return json(200, { visitor_token: 'tok' + ++sessions, visitor: { id: 'v1', verified: false }, config })
      }
      if (refuse && auth === 'Bearer tok1') return json(401, { code: 'unauthenticated', detail: 'this visitor session has ended' })
      if (p === '/api/v1/widget/conversations') return json(200, { conversations: [conv('c1')] })
      if (p.endsWith('/messages') && (init.method || 'GET') === 'GET') return json(200, { messages: [msg(1)], has_more: false })
      return new Response(null, { status: 204 })
    })
    const hostMsgs: PanelMsg[] = []
    const tokens = hostTokens((s) => hostMsgs.push({ parley: 1, type: 'token', saved: s }))
    const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens, host: (m) => hostMsgs.push(m), embedded: true, root })
    p.init(null, {}, false, '', true, false)
    await until(() => root.querySelectorAll('.log .b').length === 1, 'history')
    refuse = true
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' }) // the resume lists conversations: 401
    await until(() => sessions === 2, 'a new session')
    await until(() => hostMsgs.some((m) => m.type === 'token' && m.saved?.token === 'tok2'), 'the new token on the host page')
    // The refused token went along: the server renews an expired one for the same visitor.
    expect(sent).toEqual([undefined, 'tok1'])
    p.destroy()
  })
})

// Issue 15: a visitor token lives a week; a page left open renews it
// halfway, for the same visitor, and keeps the new one.
describe('a page left open', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('renews the visitor token before it expires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    FakeWS.all = []
    vi.stubGlobal('WebSocket', FakeWS)
    const root = document.createElement('div')
    document.body.replaceChildren(root)
    const week = 7 * 24 * 3600 * 1000
    const sent: (string | undefined)[] = []
    const used: string[] = []
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const p = new URL(url).pathname
      if (p.endsWith('/session')) {
        sent.push(JSON.parse(String(init.body)).visitor_token)
        return json(200, { visitor_token: 'tok' + sent.length, expires_at: new Date(Date.now() + week).toISOString(), visitor: { id: 'v1', verified: false }, config })
      }
      used.push((init.headers as Record<string, string>).Authorization)
      if (p === '/api/v1/widget/conversations') return json(200, { conversations: [conv('c1')] })
      if (p.endsWith('/messages') && (init.method || 'GET') === 'GET') return json(200, { messages: [msg(1)], has_more: false })
      return new Response(null, { status: 204 })
    })
    const hostMsgs: PanelMsg[] = []
    const tokens = hostTokens((s) => hostMsgs.push({ parley: 1, type: 'token', saved: s }))
    const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens, host: (m) => hostMsgs.push(m), embedded: true, root })
    p.init(null, {}, false, '', true, false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sent).toEqual([undefined])
    await vi.advanceTimersByTimeAsync(week / 2 - 60000)
    expect(sent).toEqual([undefined])
    await vi.advanceTimersByTimeAsync(61000)
    expect(sent).toEqual([undefined, 'tok1'])
    expect(hostMsgs.some((m) => m.type === 'token' && m.saved?.token === 'tok2')).toBe(true)
    // And again halfway through the new token's week.
    await vi.advanceTimersByTimeAsync(week / 2 + 1000)
    expect(sent).toEqual([undefined, 'tok1', 'tok2'])
    used.length = 0
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' }) // a resume lists conversations with the token in use
    await vi.advanceTimersByTimeAsync(1000)
    expect(used).toContain('Bearer tok3')
    p.destroy()
  })
})
