// Drawing files and deleted messages: thumbnails that open an accessible
// overlay, download cards, a hostile file never shown inline, URLs renewed
// when they expired or fail, "Message deleted" in place, deleting one's own
// message with a confirmation, and agents' photos.
import { describe, expect, it, vi } from 'vitest'
import { files, lightbox, type FileView } from '../src/panel/attachments'
import { log } from '../src/panel/view'
import { group, shown } from '../src/panel/messages'
import { strings } from '../src/panel/i18n'
import type { Attachment } from '../src/panel/types'
import { agent, logFiles, msg, until, visitor } from './helpers'

const base = 'https://chat.parley.example'
const later = () => new Date(Date.now() + 15 * 60000).toISOString()
const image = (over: Partial<Attachment> = {}): Attachment => ({
  id: 'f1',
  name: 'photo <b>1</b>.png',
  content_type: 'image/png',
  size: 2048,
  kind: 'image',
  image: { width: 800, height: 600 },
  url: '/api/v1/files/full1',
  thumbnail_url: '/api/v1/files/thumb1',
  expires_at: later(),
  ...over,
})
const pdf = (over: Partial<Attachment> = {}): Attachment => ({ id: 'f2', name: 'invoice.pdf', content_type: 'application/pdf', size: 1536, kind: 'document', url: '/api/v1/files/pdf1', expires_at: later(), ...over })

const view = (over: Partial<FileView> = {}): FileView => ({ base, t: strings.en, locale: 'en', fresh: (a) => a, renew: async () => null, ...over })
const opts = (over = {}) => ({ t: strings.en, locale: 'en', now: new Date('2026-03-02T12:00:00Z'), agentReadSeq: 0, lastSeq: 99, choose: vi.fn(), retry: vi.fn(), discard: vi.fn(), ...logFiles(base), ...over })

describe('attachments', () => {
  it('an image is a thumbnail button with the file name as alt text', () => {
    const el = files([image()], view())!
    const b = el.querySelector('button.th')!
    expect(b.getAttribute('aria-label')).toBe('Open photo <b>1</b>.png full size')
    const img = b.querySelector('img')!
    expect(img.getAttribute('alt')).toBe('photo <b>1</b>.png')
    expect(img.getAttribute('src')).toBe(base + '/api/v1/files/thumb1')
    expect(el.querySelector('b')).toBeNull() // the name is text, never markup
  })

  it('another file is a card with its name, type, size and a download link', () => {
    const el = files([pdf()], view())!
    const a = el.querySelector('.fc a')!
    expect(a.textContent).toBe('invoice.pdf')
    expect(a.getAttribute('href')).toBe(base + '/api/v1/files/pdf1')
    expect(a.getAttribute('download')).toBe('invoice.pdf')
    expect(el.querySelector('.fm')!.textContent!.replace(/\u00a0/g, ' ')).toBe('PDF · 1.5 kB')
  })

  it('an HTML file named .png is a download card, not an image', () => {
    const el = files([{ id: 'f3', name: 'cute-cat.png', content_type: 'text/html; charset=utf-8', size: 80, kind: 'other', url: '/api/v1/files/h' }], view())!
    expect(el.querySelector('img')).toBeNull()
    expect(el.querySelector('.fc a')!.textContent).toBe('cute-cat.png')
    expect(el.querySelector('.fm')!.textContent).toMatch(/^HTML · /)
  })

  it('never links another origin', () => {
    const el = files([pdf({ url: 'https://evil.example/x.pdf' }), image({ id: 'f9', thumbnail_url: '//evil.example/t.png' })], view())!
    expect(el.querySelector('.fc a')!.hasAttribute('href')).toBe(false)
    expect(el.querySelector('img')!.hasAttribute('src')).toBe(false)
  })

  it('renews expired URLs before showing them, and after a failed load', async () => {
    const renew = vi.fn(async (a: Attachment) => ({ ...a, thumbnail_url: '/api/v1/files/thumb2', url: '/api/v1/files/full2', expires_at: later() }))
    const el = files([image({ expires_at: new Date(Date.now() - 60000).toISOString() })], view({ renew }))!
    const img = el.querySelector('img')!
    await until(() => img.getAttribute('src') === base + '/api/v1/files/thumb2', 'the renewed thumbnail')
    expect(renew).toHaveBeenCalledTimes(1)

    const renew2 = vi.fn(async (a: Attachment) => ({ ...a, thumbnail_url: '/api/v1/files/thumb3' }))
    const img2 = files([image()], view({ renew: renew2 }))!.querySelector('img')!
    img2.dispatchEvent(new Event('error')) // a 410
    await until(() => img2.getAttribute('src') === base + '/api/v1/files/thumb3', 'the thumbnail renewed after an error')
    img2.dispatchEvent(new Event('error'))
    expect(renew2).toHaveBeenCalledTimes(1) // once, not in a loop
  })

  it('an expired download link is renewed on click, then followed', async () => {
    const renew = vi.fn(async (a: Attachment) => ({ ...a, url: '/api/v1/files/pdf2', expires_at: later() }))
    const el = files([pdf({ expires_at: new Date(Date.now() - 1000).toISOString() })], view({ renew }))!
    document.body.appendChild(el)
    const a = el.querySelector('a')!
    const clicks: string[] = []
    a.addEventListener('click', (e) => {
      clicks.push(a.getAttribute('href')!)
      e.preventDefault() // no navigation in the test
    })
    a.click()
    await until(() => clicks.length === 2, 'the second click')
    expect(clicks[1]).toBe(base + '/api/v1/files/pdf2')
    el.remove()
  })
})

describe('the lightbox', () => {
  it('opens full size, keeps the focus inside, and Escape closes it back to the thumbnail', () => {
    const app = document.createElement('div')
    const back = document.createElement('button')
    app.appendChild(back)
    document.body.replaceChildren(app)
    const esc = vi.fn()
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && esc()
    document.addEventListener('keydown', onKey)
    const box = lightbox(image(), view(), back)!
    expect(box.getAttribute('role')).toBe('dialog')
    expect(box.getAttribute('aria-modal')).toBe('true')
    const img = box.querySelector('img')!
    expect(img.getAttribute('src')).toBe(base + '/api/v1/files/full1')
    expect(img.getAttribute('alt')).toBe('photo <b>1</b>.png')
    expect(app.hasAttribute('inert')).toBe(true)
    const close = box.querySelector('button')!
    const dl = box.querySelector('a')!
    expect(document.activeElement).toBe(close)
    // Tab from the last control comes back to the first, and Shift+Tab the other way.
    dl.focus()
    dl.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true }))
    expect(document.activeElement).toBe(close)
    close.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey: true, bubbles: true, cancelable: true }))
    expect(document.activeElement).toBe(dl)
    dl.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    expect(box.isConnected).toBe(false)
    expect(app.hasAttribute('inert')).toBe(false)
    expect(document.activeElement).toBe(back)
    expect(esc).not.toHaveBeenCalled() // the panel's Escape (close the chat) did not run
    document.removeEventListener('keydown', onKey)
  })
})

describe('messages with files, deleted messages', () => {
  it('a message with files only has no empty bubble; with text it has both', () => {
    const root = log(group(shown([msg(1, visitor, { body: '', attachments: [image()] }), msg(2, agent, { body: 'Here it is', attachments: [pdf()] })], [], 'c1')), opts())
    const m1 = root.querySelector('[data-seq="1"]')!
    expect(m1.querySelector('.b')).toBeNull()
    expect(m1.querySelector('button.th img')).not.toBeNull()
    const m2 = root.querySelector('[data-seq="2"]')!
    expect(m2.querySelector('.b')!.textContent).toBe('Here it is')
    expect(m2.querySelector('.fc a')!.textContent).toBe('invoice.pdf')
  })

  it('a pending message shows the files it carries', () => {
    const root = log(group(shown([], [{ cmid: 'x', conv: 'c1', body: '', at: '2026-03-02T10:00:00Z', state: 'sending', files: [pdf()] }], 'c1')), opts())
    expect(root.querySelector('.m.p .fc a')!.textContent).toBe('invoice.pdf')
  })

  it('a deleted message says so in its place', () => {
    const root = log(group(shown([msg(1), msg(2, visitor, { kind: 'deleted', body: '' }), msg(3)], [], 'c1')), opts())
    expect(root.querySelector('[data-seq="2"] .b')!.textContent).toBe('Message deleted')
    expect(root.querySelector('[data-seq="2"] .mx')).toBeNull() // nothing left to delete
  })

  it('the visitor deletes their own message after a confirmation', () => {
    const ask = vi.fn()
    const confirm = vi.fn()
    const del = (asking: string) => ({ asking, failed: '', ask, confirm })
    const msgs = [msg(1), msg(2, visitor, { body: 'oops' })]
    let root = log(group(shown(msgs, [], 'c1')), opts({ del: del('') }))
    expect(root.querySelector('[data-seq="1"] .mx')).toBeNull() // not the agent's
    const b = root.querySelector('[data-seq="2"] .mx') as HTMLButtonElement
    expect(b.getAttribute('aria-label')).toBe('Delete message')
    b.click()
    expect(ask).toHaveBeenCalledWith('m2')
    root = log(group(shown(msgs, [], 'c1')), opts({ del: del('m2') }))
    expect(root.querySelector('[data-seq="2"] .dq')!.textContent).toContain('Delete this message?')
    ;(root.querySelector('[data-fid="my-m2"]') as HTMLButtonElement).click()
    expect(confirm).toHaveBeenCalledWith('m2')
    ;(root.querySelector('[data-fid="mn-m2"]') as HTMLButtonElement).click()
    expect(ask).toHaveBeenLastCalledWith('')
  })

  it('an agent’s photo beside their messages, else their initials', () => {
    const withPhoto = log(group(shown([msg(1, { ...agent, avatar_url: '/api/v1/media/avatars/av1' })], [], 'c1')), opts())
    expect(withPhoto.querySelector('.who img.pic')!.getAttribute('src')).toBe(base + '/api/v1/media/avatars/av1')
    const hostile = log(group(shown([msg(1, { ...agent, avatar_url: 'https://evil.example/a.png' })], [], 'c1')), opts())
    expect(hostile.querySelector('.who img')).toBeNull()
    expect(hostile.querySelector('.who .pic')!.textContent).toBe('A')
  })
})
