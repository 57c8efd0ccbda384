// Issue 11 in the widget: "Your data" in the panel's menu — the visitor
// downloads what Parley holds about them and deletes their conversations,
// after which the panel forgets them as Parley('reset') does.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DATA_FILE, MyData, type MyDataDeps } from '../src/panel/mydata'
import { ApiError } from '../src/panel/api'
import { strings } from '../src/panel/i18n'
import { Panel } from '../src/panel/panel'
import { hostTokens, memory } from '../src/panel/storage'
import type { Conversation } from '../src/panel/types'
import type { PanelMsg, Saved } from '../src/shared/protocol'
import { FakeWS, msg, until, visitor } from './helpers'

const t = strings.en

/** deferred is a promise the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('the Your data screen', () => {
  let root: HTMLElement
  let saved: { name: string; text: string }[]
  let calls: string[]
  let load = deferred<unknown>()
  let erase = deferred<unknown>()
  let screen: MyData

  const draw = () => root.replaceChildren(...screen.draw(t))
  const button = (text: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === text) as HTMLButtonElement | undefined
  const texts = () => [...root.querySelectorAll('h2, p, button')].map((e) => e.textContent)

  beforeEach(() => {
    root = document.createElement('div')
    document.body.replaceChildren(root)
    saved = []
    calls = []
    load = deferred()
    erase = deferred()
    const deps: MyDataDeps = {
      load: () => (calls.push('load'), load.promise),
      erase: () => (calls.push('erase'), erase.promise),
      save: (name, text) => saved.push({ name, text }),
      erased: () => calls.push('erased'),
      restart: () => calls.push('restart'),
      render: draw,
      root,
    }
    screen = new MyData(deps)
    screen.open()
  })

  it('downloads the export as parley-my-data.json, saying so while it loads', async () => {
    button(t.dataGet)!.click()
    expect(calls).toEqual(['load'])
    const busy = button(t.dataGetting)!
    expect(busy.getAttribute('aria-busy')).toBe('true')
    busy.click() // a second click while loading asks nothing more
    expect(calls).toEqual(['load'])
    load.resolve({ visitor: { id: 'v1' }, conversations: [{ messages: [{ body: 'Where is my order?' }] }] })
    await until(() => saved.length === 1, 'the file')
    expect(saved[0].name).toBe(DATA_FILE)
    expect(JSON.parse(saved[0].text).conversations[0].messages[0].body).toBe('Where is my order?')
    expect(root.querySelector('[role=status]')!.textContent).toBe('Saved as parley-my-data.json.')
    expect(button(t.dataGet)!.hasAttribute('aria-disabled')).toBe(false)
  })

  it('says when the download failed, and tries again on the next click', async () => {
    button(t.dataGet)!.click()
    load.reject(new ApiError(503, 'unavailable', 'conversation service unavailable'))
    await until(() => root.querySelector('[role=alert]') !== null, 'the error')
    expect(root.querySelector('[role=alert]')!.textContent).toBe(t.dataGetFailed)
    expect(saved).toHaveLength(0)
    load = deferred()
    button(t.dataGet)!.click()
    expect(root.querySelector('[role=alert]')).toBeNull()
    load.resolve({})
    await until(() => saved.length === 1, 'the file on the second try')
  })

  it('asks before deleting, saying it cannot be undone; cancel deletes nothing', () => {
    button(t.erase)!.click()
    expect(texts()).toContain(t.eraseAsk)
    expect(t.eraseAsk).toMatch(/cannot be undone/)
    button(t.eraseNo)!.click()
    expect(button(t.erase)).toBeDefined()
    expect(calls).toEqual([])
  })

  it('deletes after the confirm, then the panel forgets the visitor and offers a new conversation', async () => {
    button(t.erase)!.click()
    button(t.eraseYes)!.click()
    expect(calls).toEqual(['erase'])
    expect(screen.erasing).toBe(true)
    expect(button(t.erasing)!.getAttribute('aria-busy')).toBe('true')
    erase.resolve({ visitor_id: 'v1', conversations: 1, messages: 3 })
    await until(() => calls.includes('erased'), 'the panel told')
    expect(screen.erasing).toBe(false)
    expect(root.querySelector('h2')!.textContent).toBe('Your conversations were deleted')
    button(t.startNew)!.click()
    expect(calls).toEqual(['erase', 'erased', 'restart'])
  })

  it('a 404 (nothing left to delete) ends the same way; another failure keeps everything and says so', async () => {
    button(t.erase)!.click()
    button(t.eraseYes)!.click()
    erase.reject(new ApiError(502, 'unavailable', 'bad gateway'))
    await until(() => root.querySelector('[role=alert]') !== null, 'the error')
    expect(root.querySelector('[role=alert]')!.textContent).toBe(t.eraseFailed)
    expect(calls).toEqual(['erase'])
    erase = deferred()
    button(t.eraseYes)!.click()
    erase.reject(new ApiError(404, 'not_found', 'visitor not found'))
    await until(() => calls.includes('erased'), 'the panel told')
    expect(root.querySelector('h2')!.textContent).toBe(t.erased)
  })
})

describe('Your data in the panel', () => {
  const config = {
    business_name: 'Acme',
    widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: '', greeting_identified: '', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
    offline_message: '',
    agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
    within_business_hours: true,
  }
  const conv = { id: 'c1', status: 'open', last_seq: 1, agent_read_seq: 0, visitor_read_seq: 0, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:00:00Z' } as Conversation
  const exported = { visitor: { id: 'v1' }, conversations: [{ id: 'c1', messages: [{ body: 'Do you ship to Norway?' }] }] }

  let root: HTMLElement
  let hostMsgs: PanelMsg[]
  let calls: { method: string; path: string; auth: string; body: unknown }[]
  let panel: Panel | undefined
  let sessions: number
  let downloads: { download: string; href: string }[]

  beforeEach(() => {
    FakeWS.all = []
    vi.stubGlobal('WebSocket', FakeWS)
    root = document.createElement('div')
    document.body.replaceChildren(root)
    hostMsgs = []
    calls = []
    sessions = 0
    downloads = []
    vi.stubGlobal('URL', Object.assign(class extends URL {}, { createObjectURL: () => 'blob:frame/1', revokeObjectURL: () => {} }))
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push({ download: this.download, href: this.getAttribute('href') || '' })
    })
  })
  afterEach(() => {
    panel?.destroy()
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
  })

  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

  function start(convs: Conversation[], saved: Saved | null) {
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const p = new URL(url).pathname
      const method = init.method || 'GET'
      calls.push({ method, path: p, auth: (init.headers as Record<string, string>).Authorization || '', body: init.body ? JSON.parse(String(init.body)) : undefined })
      if (p.endsWith('/session')) return json(200, { visitor_token: 'tok' + ++sessions, visitor: { id: 'v' + sessions, verified: false }, config })
      if (p === '/api/v1/widget/conversations') return json(200, { conversations: sessions === 1 ? convs : [] })
      if (p === '/api/v1/widget/conversations/c1/messages') return json(200, { messages: [msg(1, visitor, { body: 'Do you ship to Norway?' })], has_more: false })
      if (p === '/api/v1/widget/visitor/export') return json(200, exported)
      if (p === '/api/v1/widget/visitor' && method === 'DELETE') return json(200, { visitor_id: 'v1', conversations: 1, messages: 1 })
      return new Response(null, { status: 204 })
    })
    // This test's own list: earlier tests' panels still hear document events.
    const mine = hostMsgs
    const tokens = hostTokens((s) => mine.push({ parley: 1, type: 'token', saved: s }))
    tokens.load(saved)
    panel = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens, host: (m) => mine.push(m), embedded: true, root })
    panel.init(null, {}, false, '', true, false)
  }

  const menuButton = () => root.querySelector('header button[aria-controls=mn]') as HTMLButtonElement | null
  const button = (text: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === text) as HTMLButtonElement | undefined
  const openData = async () => {
    await until(() => root.querySelectorAll('.log .b').length === 1, 'the history')
    menuButton()!.click()
    await until(() => menuButton()!.getAttribute('aria-expanded') === 'true' && !(root.querySelector('#mn') as HTMLElement).hidden, 'the menu open')
    button(t.yourData)!.click()
    await until(() => root.querySelector('main h2')?.textContent === t.yourData, 'the Your data screen')
  }

  it('has no menu before the visitor has a conversation', async () => {
    start([], null)
    await until(() => calls.some((c) => c.path === '/api/v1/widget/conversations') && !(root.querySelector('form.cmp') as HTMLElement).hidden, 'ready')
    await until(() => FakeWS.all.length === 1, 'the socket')
    expect(menuButton()).toBeNull()
  })

  it('the menu opens, closes on Escape, and leads to Your data', async () => {
    start([conv], { token: 'kept', visitor: 'v1', identity: null })
    await until(() => root.querySelectorAll('.log .b').length === 1, 'the history')
    const mb = menuButton()!
    expect(mb.getAttribute('aria-label')).toBe('Menu')
    mb.click()
    await until(() => mb.getAttribute('aria-expanded') === 'true', 'open')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await until(() => mb.getAttribute('aria-expanded') === 'false' && (root.querySelector('#mn') as HTMLElement).hidden === true, 'closed')
    expect(hostMsgs.some((m) => m.type === 'close'), 'Escape closed the menu, not the panel').toBe(false)
    await openData()
    expect((root.querySelector('form.cmp') as HTMLElement).hidden).toBe(true)
  })

  it('downloads the visitor export with the visitor token', async () => {
    start([conv], { token: 'kept', visitor: 'v1', identity: null })
    await openData()
    button(t.dataGet)!.click()
    await until(() => downloads.length === 1, 'the download')
    expect(downloads[0]).toEqual({ download: 'parley-my-data.json', href: 'blob:frame/1' })
    const call = calls.find((c) => c.path === '/api/v1/widget/visitor/export')!
    expect(call).toMatchObject({ method: 'GET', auth: 'Bearer tok1' })
  })

  it('deleting forgets the visitor as a reset does, and a new conversation starts a new session', async () => {
    start([conv], { token: 'kept', visitor: 'v1', identity: null })
    await openData()
    const socket = FakeWS.all[0]
    button(t.erase)!.click()
    await until(() => button(t.eraseYes) !== undefined, 'the confirm step')
    button(t.eraseYes)!.click()
    await until(() => root.querySelector('main h2')?.textContent === t.erased, 'the deleted screen')
    expect(calls.find((c) => c.method === 'DELETE')).toMatchObject({ path: '/api/v1/widget/visitor', auth: 'Bearer tok1' })
    // The host page forgets the token (as after Parley('reset')); the unread badge goes.
    expect(hostMsgs.filter((m) => m.type === 'token').at(-1)).toEqual({ parley: 1, type: 'token', saved: null })
    expect(hostMsgs.filter((m) => m.type === 'unread').at(-1)).toMatchObject({ count: 0 })
    // The old session is over: no socket reconnects, no menu, no way back to the old list.
    const opened = FakeWS.all.length
    socket.close()
    expect(FakeWS.all.length).toBe(opened)
    expect(menuButton()).toBeNull()
    expect(root.querySelector('header button.back')).toBeNull()
    // The server already revoked the token: nothing else is asked of it.
    expect(calls.some((c) => c.path === '/api/v1/widget/session/revoke')).toBe(false)

    button(t.startNew)!.click()
    await until(() => calls.filter((c) => c.path.endsWith('/session')).length === 2, 'a new session')
    expect(calls.filter((c) => c.path.endsWith('/session'))[1].body).toEqual({})
    await until(() => !(root.querySelector('form.cmp') as HTMLElement).hidden, 'the composer')
    expect(root.querySelectorAll('.log .b')).toHaveLength(0)
  })
})
