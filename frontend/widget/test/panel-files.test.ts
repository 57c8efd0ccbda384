// The panel with files, against a fake server: the policy is asked first
// and a file over it is refused without a request; dropped files upload
// with their progress, can be cancelled, and go with the message (also
// without text); a message.deleted frame shows "Message deleted"; the
// visitor deletes their own message; the tenant's logo is in the header.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { kvTokens, memory } from '../src/panel/storage'
import type { Attachment, Message } from '../src/panel/types'
import { FakeWS, msg, until, visitor } from './helpers'

const base = 'https://chat.example'
const config = {
  business_name: 'Acme',
  widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: '', greeting_identified: '', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false, logo_url: '/api/v1/media/logos/lg1' },
  offline_message: '',
  agents_online: [{ type: 'agent', id: 'a1', name: 'Alice', avatar_url: '/api/v1/media/avatars/av1' }],
  within_business_hours: true,
}

class FakeXHR {
  static all: FakeXHR[] = []
  url = ''
  form: FormData | null = null
  aborted = false
  status = 0
  statusText = ''
  responseText = ''
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXHR.all.push(this)
  }
  open(_: string, u: string) {
    this.url = u
  }
  setRequestHeader() {}
  send(f: FormData) {
    this.form = f
  }
  abort() {
    this.aborted = true
    this.onabort?.()
  }
  answer(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

function server() {
  const stored: Message[] = [msg(1), msg(2, visitor, { body: 'my typo' })]
  const posts: Record<string, unknown>[] = []
  const deletes: string[] = []
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const u = new URL(url)
    const method = init.method || 'GET'
    if (u.pathname.endsWith('/session')) return json(200, { visitor_token: 'tok', visitor: { id: 'v1', verified: false }, config })
    if (u.pathname === '/api/v1/widget/uploads/policy') return json(200, { enabled: true, max_file_bytes: 1000, kinds: ['image', 'document'], accept: 'image/*,.pdf', storage_full: false })
    if (u.pathname === '/api/v1/widget/conversations' && method === 'GET')
      return json(200, { conversations: [{ id: 'c1', status: 'open', last_seq: stored.length, agent_read_seq: 0, visitor_read_seq: 0, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:00:00Z' }] })
    if (u.pathname === '/api/v1/widget/conversations/c1/messages' && method === 'GET') return json(200, { messages: stored, has_more: false })
    if (u.pathname === '/api/v1/widget/conversations/c1/messages' && method === 'POST') {
      const body = JSON.parse(String(init.body))
      posts.push(body)
      const m = msg(stored.length + 1, visitor, { body: body.body, client_msg_id: body.client_msg_id, attachments: (body.attachments || []).map((id: string) => att(id, id + '.png')) })
      stored.push(m)
      return json(201, m)
    }
    const del = /^\/api\/v1\/widget\/conversations\/c1\/messages\/(\w+)$/.exec(u.pathname)
    if (del && method === 'DELETE') {
      deletes.push(del[1])
      const i = stored.findIndex((m) => m.id === del[1])
      stored[i] = { ...stored[i], kind: 'deleted', body: '', attachments: undefined }
      return json(200, stored[i])
    }
    if (u.pathname.endsWith('/read')) return new Response(null, { status: 204 })
    return json(404, { code: 'not_found' })
  })
  return { stored, posts, deletes, fetch }
}

const att = (id: string, name: string): Attachment => ({ id, name, content_type: 'image/png', size: 10, kind: 'image', url: '/api/v1/files/' + id, thumbnail_url: '/api/v1/files/' + id + '.t', expires_at: new Date(Date.now() + 900000).toISOString() })

describe('panel with files', () => {
  let srv: ReturnType<typeof server>
  let root: HTMLElement
  let panel: Panel

  beforeEach(async () => {
    FakeWS.all = []
    FakeXHR.all = []
    srv = server()
    vi.stubGlobal('fetch', srv.fetch)
    vi.stubGlobal('WebSocket', FakeWS)
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    root = document.createElement('div')
    document.body.replaceChildren(root)
    const kv = memory()
    panel = new Panel({ key: 'wk_1', base, kv, tokens: kvTokens(kv, 'parley:wk_1:visitor'), host: () => {}, embedded: true, root })
    panel.init(null, {}, false, 'https://shop.example/', true, false)
    await until(() => root.querySelectorAll('.log .m').length === 2, 'the history')
    await until(() => !(root.querySelector('button.clip') as HTMLButtonElement).hidden, 'the paperclip, once the policy allows files')
  })
  afterEach(() => {
    panel.destroy()
    vi.unstubAllGlobals()
  })

  const drop = (...list: File[]) => {
    const e = new Event('drop', { bubbles: true, cancelable: true })
    Object.defineProperty(e, 'dataTransfer', { value: { types: ['Files'], files: list } })
    root.querySelector('main')!.dispatchEvent(e)
  }
  const tray = () => [...root.querySelectorAll('.tray li')] as HTMLElement[]

  it('shows the logo and the agents’ photos from Parley’s origin', () => {
    expect(root.querySelector('header img.logo')!.getAttribute('src')).toBe(base + '/api/v1/media/logos/lg1')
    expect(root.querySelector('header .av img')!.getAttribute('src')).toBe(base + '/api/v1/media/avatars/av1')
    expect(root.querySelector('button.clip')!.getAttribute('aria-label')).toBe('Attach files')
    expect((root.querySelector('input[type=file]') as HTMLInputElement).accept).toBe('image/*,.pdf')
  })

  it('refuses a file over the policy before sending a byte', async () => {
    drop(new File(['x'.repeat(2000)], 'huge.png', { type: 'image/png' }), new File(['<html>'], 'page.html', { type: 'text/html' }))
    await until(() => tray().length === 2, 'two refusals')
    expect(FakeXHR.all).toHaveLength(0)
    expect(tray()[0].querySelector('[role=alert]')!.textContent!.replace(/\u00a0/g, ' ')).toBe('huge.png is too large: files can be up to 1,000 bytes.')
    expect(tray()[1].querySelector('[role=alert]')!.textContent).toBe('page.html: this type of file can’t be sent here.')
    // Removed with its button.
    ;(tray()[0].querySelector('button') as HTMLButtonElement).click()
    expect(tray()).toHaveLength(1)
  })

  it('uploads dropped files with progress and a cancel, then sends them without text', async () => {
    drop(new File(['abc'], 'a.png', { type: 'image/png' }), new File(['defg'], 'b.png', { type: 'image/png' }))
    await until(() => FakeXHR.all.length === 2, 'two uploads')
    expect(FakeXHR.all[0].url).toBe(base + '/api/v1/widget/uploads')
    expect((FakeXHR.all[0].form!.get('file') as File).name).toBe('a.png')
    FakeXHR.all[0].upload.onprogress!({ loaded: 2 })
    const bar = tray()[0].querySelector('progress') as HTMLProgressElement
    expect([bar.value, bar.max, bar.getAttribute('aria-label')]).toEqual([2, 3, 'Uploading a.png'])
    // Sending while an upload runs waits for it.
    const form = root.querySelector('form.cmp') as HTMLFormElement
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    expect(root.querySelector('.tray + .st')!.textContent).toBe('Please wait until your files are uploaded.')
    // Cancel the second: its request is aborted.
    const cancel = tray()[1].querySelector('button') as HTMLButtonElement
    expect(cancel.getAttribute('aria-label')).toBe('Cancel b.png')
    cancel.click()
    expect(FakeXHR.all[1].aborted).toBe(true)
    FakeXHR.all[0].answer(201, att('fa', 'a.png'))
    await until(() => tray()[0]?.className === 'done', 'the upload done')
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await until(() => srv.posts.length === 1, 'the message sent')
    expect(srv.posts[0]).toMatchObject({ body: '', attachments: ['fa'] })
    await until(() => root.querySelector('[data-seq="3"] button.th img') !== null, 'the thumbnail in the log')
    expect(root.querySelector('[data-seq="3"] .b')).toBeNull()
    expect(tray()).toHaveLength(0)
  })

  it('a pasted file is attached, pasted text is left to the textarea', async () => {
    const paste = (files: File[]) => {
      const e = new Event('paste', { bubbles: true, cancelable: true })
      Object.defineProperty(e, 'clipboardData', { value: { files } })
      root.querySelector('textarea')!.dispatchEvent(e)
      return e.defaultPrevented
    }
    expect(paste([])).toBe(false)
    expect(paste([new File(['png'], 'image.png', { type: 'image/png' })])).toBe(true)
    await until(() => FakeXHR.all.length === 1, 'the pasted image uploading')
    expect(tray()[0].querySelector('.fn')!.textContent).toBe('image.png')
  })

  it('a message.deleted frame shows "Message deleted" in place', async () => {
    FakeWS.all[0].frame({ type: 'message.deleted', message: { ...srv.stored[0], kind: 'deleted', body: '' } })
    await until(() => root.querySelector('[data-seq="1"] .b')?.textContent === 'Message deleted', 'the deleted message')
    expect(root.querySelectorAll('.log .m')).toHaveLength(2)
  })

  it('the visitor deletes their own message after confirming', async () => {
    ;(root.querySelector('[data-seq="2"] .mx') as HTMLButtonElement).click()
    await until(() => root.querySelector('[data-fid="my-m2"]') !== null, 'the confirmation')
    expect(srv.deletes).toEqual([])
    ;(root.querySelector('[data-fid="my-m2"]') as HTMLButtonElement).click()
    await until(() => root.querySelector('[data-seq="2"] .b')?.textContent === 'Message deleted', 'the message deleted')
    expect(srv.deletes).toEqual(['m2'])
  })
})
