import { describe, expect, it, vi } from 'vitest'
import { log, card, quickReplies } from '../src/panel/view'
import { group, shown } from '../src/panel/messages'
import { linkify, safeUrl, initials } from '../src/panel/dom'
import { strings } from '../src/panel/i18n'
import { agent, bot, logFiles, msg, visitor } from './helpers'
import { corpus } from './xss'

const opts = (over = {}) => ({
  t: strings.en,
  locale: 'en',
  now: new Date('2026-03-02T12:00:00Z'),
  agentReadSeq: 0,
  lastSeq: 99,
  choose: vi.fn(),
  retry: vi.fn(),
  discard: vi.fn(),
  ...logFiles(),
  ...over,
})

function inert(root: Element) {
  // The widget's own icons (svg.ic) are the only SVG.
  expect(root.querySelectorAll('script, iframe, svg:not(.ic), img, object, embed, details').length).toBe(0)
  for (const el of root.querySelectorAll('*')) {
    for (const a of el.attributes) expect(a.name.startsWith('on'), `${el.tagName} ${a.name}`).toBe(false)
  }
  for (const a of root.querySelectorAll('a')) expect(a.getAttribute('href')).toMatch(/^https?:\/\//)
}

describe('XSS corpus renders as text (W2)', () => {
  it('in message bodies, author names and bot payloads', () => {
    const msgs = corpus.flatMap((s, i) => [
      msg(i * 4 + 1, { type: 'agent', id: 'a' + i, name: s }, { body: s }),
      msg(i * 4 + 2, visitor, { body: s }),
      msg(i * 4 + 3, bot, { kind: 'quick_replies', body: s, payload: { text: s, options: [{ label: s, value: s }] } }),
      msg(i * 4 + 4, bot, { kind: 'card', body: s, payload: { title: s, text: s, image_url: 'javascript:alert(1)', buttons: [{ label: s, url: 'javascript:alert(1)' }, { label: s, value: s }] } }),
    ])
    const root = document.createElement('div')
    root.appendChild(log(group(shown(msgs, [], 'c1')), opts()))
    inert(root)
    for (const s of corpus) expect(root.textContent).toContain(s)
    // The only link is the real https URL in the last corpus entry.
    const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))
    expect(new Set(hrefs)).toEqual(new Set(['https://ok.example/path?q=']))
  })
})

describe('links', () => {
  it('only http(s)', () => {
    expect(safeUrl('https://a.example/x')).toBe('https://a.example/x')
    for (const u of ['javascript:alert(1)', ' javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'vbscript:x', '//evil.com', 'x', 42]) expect(safeUrl(u)).toBeNull()
  })
  it('linkify keeps the surrounding text and trailing punctuation', () => {
    const div = document.createElement('div')
    for (const n of linkify('see https://a.example/x. and [x](javascript:alert(1))', (h) => h)) div.append(n as Node)
    expect(div.textContent).toBe('see https://a.example/x. and [x](javascript:alert(1))')
    const a = div.querySelector('a')!
    expect(a.getAttribute('href')).toBe('https://a.example/x')
    expect(a.getAttribute('rel')).toContain('noopener')
    expect(a.getAttribute('target')).toBe('_blank')
  })
  it('initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL')
    expect(initials('')).toBe('?')
    // An anonymous visitor's generated name: a letter, not "V3".
    expect(initials('Visitor 35EF')).toBe('V')
    expect(initials('émile zola')).toBe('ÉZ')
  })
})

describe('bot messages', () => {
  it('quick replies send the chosen value, only on the last message', () => {
    const choose = vi.fn()
    const q = msg(2, bot, { kind: 'quick_replies', body: 'Pick', payload: JSON.stringify({ text: 'Pick one', options: [{ label: 'Sales', value: 'sales' }, { label: 'Support', value: 'support' }] }) })
    const root = log(group([msg(1), q]), opts({ choose, lastSeq: 2 }))
    const buttons = root.querySelectorAll('.qr button')
    expect([...buttons].map((b) => b.textContent)).toEqual(['Sales', 'Support'])
    ;(buttons[1] as HTMLButtonElement).click()
    expect(choose).toHaveBeenCalledWith('support')
    const stale = log(group([q, msg(3)]), opts({ choose, lastSeq: 3 }))
    expect(stale.querySelectorAll('.qr button').length).toBe(0)
    expect(stale.textContent).toContain('Pick one')
  })
  it('cards show title, text, an https image and buttons', () => {
    const choose = vi.fn()
    const c = msg(1, bot, { kind: 'card', payload: { title: 'Plan', text: 'Pro plan', image_url: 'https://img.example/p.png', buttons: [{ label: 'Buy', value: 'buy pro' }, { label: 'Docs', url: 'https://docs.example' }] } })
    const root = log(group([c]), opts({ choose, lastSeq: 1 }))
    // happy-dom has no real image loading; the element is the point.
    expect(root.querySelector('.card strong')!.textContent).toBe('Plan')
    expect(root.querySelector('.card a')!.getAttribute('href')).toBe('https://docs.example/')
    ;(root.querySelector('.card button') as HTMLButtonElement).click()
    expect(choose).toHaveBeenCalledWith('buy pro')
    expect(card({ title: 'x', image_url: 'javascript:1' })!.image_url).toBeUndefined()
    expect(card('not json')).toBeNull()
    expect(quickReplies({ options: 'x' })).toBeNull()
  })
})

describe('receipts and states', () => {
  it('shows "Seen" under the last visitor message the agent has read', () => {
    const m = [msg(1, visitor), msg(2, agent), msg(3, visitor)]
    expect(log(group(m), opts({ agentReadSeq: 2 })).querySelectorAll('.seen').length).toBe(0)
    const r = log(group(m), opts({ agentReadSeq: 3 }))
    expect(r.querySelectorAll('.seen').length).toBe(1)
    expect(r.querySelector('.seen')!.previousElementSibling!.getAttribute('data-seq')).toBe('3')
  })
  it('shows outbox states with retry for failures', () => {
    const retry = vi.fn()
    const out = shown([], [{ cmid: 'x', conv: 'c1', body: 'hi', at: '2026-03-02T11:00:00Z', state: 'failed' as const, error: 'too long' }], 'c1')
    const r = log(group(out), opts({ retry }))
    expect(r.textContent).toContain('Not sent.')
    ;(r.querySelector('.st button') as HTMLButtonElement).click()
    expect(retry).toHaveBeenCalledWith('x')
  })
  it('labels days and authors', () => {
    const r = log(group([msg(1, agent, { created_at: '2026-03-01T10:00:00' }), msg(2, agent, { created_at: '2026-03-02T10:00:00' })]), opts({ now: new Date('2026-03-02T12:00:00') }))
    expect([...r.querySelectorAll('.day')].map((d) => d.textContent)).toEqual(['Yesterday', 'Today'])
    expect(r.querySelector('.who .n')!.textContent).toBe('Alice')
  })
})
