// Building the conversation view: message groups, bot quick replies and
// cards, receipts and outbox states. Everything is built with dom.ts, so
// every message string is a text node.
import { h, icon, initials, linkify, safeUrl, type Child } from './dom'
import { dayLabel, timeLabel, type Group, type Shown } from './messages'
import { fill, type Strings } from './i18n'
import { files, type FileView } from './attachments'
import { parleyUrl } from './files'
import type { Author } from './types'

export interface QuickReplies {
  text: string
  options: { label: string; value: string }[]
}

export interface Card {
  title: string
  text: string
  image_url?: string
  buttons: { label: string; value?: string; url?: string }[]
}

const str = (v: unknown, max = 2000) => (typeof v === 'string' ? v.slice(0, max) : '')

function parsePayload(p: unknown): Record<string, unknown> | null {
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p)
    } catch {
      return null
    }
  }
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : null
}

/** quickReplies reads a quick_replies payload; null when malformed. */
export function quickReplies(p: unknown): QuickReplies | null {
  const o = parsePayload(p)
  if (!o || !Array.isArray(o.options)) return null
  const options = o.options
    .map((x: unknown) => {
      const r = (x || {}) as Record<string, unknown>
      const label = str(r.label, 200)
      return { label, value: str(r.value, 2000) || label }
    })
    .filter((x) => x.label)
    .slice(0, 10)
  return { text: str(o.text), options }
}

/** card reads a card payload; null when malformed. */
export function card(p: unknown): Card | null {
  const o = parsePayload(p)
  if (!o) return null
  const buttons = (Array.isArray(o.buttons) ? o.buttons : [])
    .map((x: unknown) => {
      const r = (x || {}) as Record<string, unknown>
      return { label: str(r.label, 200), value: str(r.value) || undefined, url: str(r.url) || undefined }
    })
    .filter((b) => b.label)
    .slice(0, 5)
  const c: Card = { title: str(o.title, 300), text: str(o.text), buttons }
  const img = safeUrl(o.image_url)
  if (img) c.image_url = img
  return c.title || c.text || buttons.length ? c : null
}

export interface LogOptions {
  t: Strings
  locale: string
  now: Date
  agentReadSeq: number
  lastSeq: number // the conversation's last stored seq: only the last bot message's choices are live
  choose: (value: string) => void
  retry: (cmid: string) => void
  discard: (cmid: string) => void
  files: FileView
  /** Deleting one of the visitor's own messages: asked (the message id), failed, and the steps. */
  del: { asking: string; failed: string; ask: (id: string) => void; confirm: (id: string) => void }
}

function authorName(m: Shown, t: Strings): string {
  if (m.author.type === 'visitor') return t.you
  return m.author.name || (m.author.type === 'bot' ? t.bot : m.author.type === 'agent' ? t.agent : '')
}

function body(m: Shown, o: LogOptions): Child[] {
  const link = (href: string) => fill(o.t.openLink, { l: href })
  const live = m.seq === o.lastSeq
  if (m.kind === 'deleted') return [h('div', { class: 'b del' }, o.t.deleted)]
  if (m.attachments && m.attachments.length) return [m.body ? h('div', { class: 'b' }, linkify(m.body, link)) : null, files(m.attachments, o.files)]
  if (m.kind === 'quick_replies') {
    const q = quickReplies(m.payload)
    if (q) {
      return [
        h('div', { class: 'b' }, linkify(q.text || m.body, link)),
        live && q.options.length
          ? h('div', { class: 'qr', role: 'group', 'aria-label': q.text || m.body }, q.options.map((x) => h('button', { type: 'button', 'data-fid': 'qr-' + m.id + '-' + x.label, onclick: () => o.choose(x.value) }, x.label)))
          : null,
      ]
    }
  }
  if (m.kind === 'card') {
    const c = card(m.payload)
    if (c) {
      return [
        h(
          'div',
          { class: 'card' },
          c.image_url ? h('img', { src: c.image_url, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' }) : null,
          c.title ? h('strong', null, c.title) : null,
          c.text ? h('p', null, linkify(c.text, link)) : null,
          c.buttons.length
            ? h(
                'div',
                { class: 'qr' },
                c.buttons.map((b) => {
                  const href = safeUrl(b.url)
                  if (href) return h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'btn', title: link(href) }, b.label)
                  return h('button', { type: 'button', disabled: !live || !b.value, 'data-fid': 'cb-' + m.id + '-' + b.label, onclick: () => b.value && o.choose(b.value) }, b.label)
                }),
              )
            : null,
        ),
      ]
    }
  }
  return [h('div', { class: 'b' }, linkify(m.body, link))]
}

function status(m: Shown, o: LogOptions): Child {
  if (!m.pending) return null
  const cmid = m.client_msg_id || ''
  if (m.pending === 'failed')
    return h(
      'div',
      { class: 'st err', role: 'alert' },
      o.t.failed + (m.error ? ' ' + m.error : '') + ' ',
      h('button', { type: 'button', class: 'link', 'data-fid': 'retry-' + cmid, onclick: () => o.retry(cmid) }, o.t.retry),
      ' ',
      h('button', { type: 'button', class: 'link', 'data-fid': 'del-' + cmid, onclick: () => o.discard(cmid) }, o.t.discard),
    )
  return h('div', { class: 'st' }, m.pending === 'sending' ? o.t.sending : o.t.queued)
}

/** deleter is the visitor's delete control under one of their stored messages: a button, then a confirmation. */
function deleter(m: Shown, o: LogOptions): Child {
  if (m.pending || m.kind === 'deleted' || m.author.type !== 'visitor') return null
  const d = o.del
  if (d.asking !== m.id) return h('button', { type: 'button', class: 'mx', 'data-fid': 'mx-' + m.id, 'aria-label': o.t.delMsg, title: o.t.delMsg, onclick: () => d.ask(m.id) }, icon('M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6'))
  return h(
    'div',
    { class: 'st dq', role: 'group', 'aria-label': o.t.delMsg },
    h('span', null, o.t.delAsk + ' '),
    h('button', { type: 'button', class: 'link', 'data-fid': 'my-' + m.id, onclick: () => d.confirm(m.id) }, o.t.delYes),
    ' ',
    h('button', { type: 'button', class: 'link', 'data-fid': 'mn-' + m.id, onclick: () => d.ask('') }, o.t.delNo),
    d.failed === m.id ? h('span', { class: 'err', role: 'alert' }, ' ' + o.t.delFailed) : null,
  )
}

/** face is an agent's photo (a path on Parley's origin), or their initials. */
function face(a: Author, base: string): HTMLElement {
  const src = parleyUrl(base, a.avatar_url)
  return src ? h('img', { class: 'pic', src, alt: '', width: 24, height: 24 }) : h('span', { class: 'pic', 'aria-hidden': 'true' }, initials(a.name))
}

/** offers are the values a bot (or agent) message offered as quick replies or card buttons, with their labels. */
export function offers(m: Shown): Map<string, string> | null {
  const q = m.kind === 'quick_replies' ? quickReplies(m.payload) : null
  const c = m.kind === 'card' ? card(m.payload) : null
  const list = q ? q.options : c ? c.buttons.filter((b) => b.value).map((b) => ({ label: b.label, value: b.value as string })) : []
  return list.length ? new Map(list.map((x) => [x.value, x.label])) : null
}

/** log builds the list of message groups with day separators and the "seen" receipt. */
export function log(groups: Group[], o: LogOptions): HTMLOListElement {
  const ol = h('ol', { class: 'log', 'aria-label': o.t.message })
  let day = ''
  let lastMine = 0
  // A click sends an option's value ("handoff"); the visitor sees its label ("Talk to a person").
  let offered: Map<string, string> | null = null
  for (const g of groups) for (const m of g.items) if (g.mine && !m.pending) lastMine = Math.max(lastMine, m.seq)
  for (const g of groups) {
    if (g.day !== day) {
      day = g.day
      ol.appendChild(h('li', { class: 'day' }, h('span', null, dayLabel(g.day, o.now, o.locale, o.t.today, o.t.yesterday))))
    }
    const first = g.items[0]
    const cls = g.system ? 'g sys' : g.mine ? 'g me' : 'g them ' + g.author.type
    const who = authorName(first, o.t)
    const li = h(
      'li',
      { class: cls },
      g.system
        ? null
        : h(
            'div',
            { class: 'who' },
            g.author.type === 'agent' ? face(first.author, o.files.base) : null,
            h('span', { class: g.mine ? 'sr' : 'n' }, who),
            g.author.type === 'bot' && first.author.name ? [' ', h('span', { class: 'bt' }, o.t.bot)] : null,
            g.mine ? null : ' · ',
            h('time', { datetime: first.created_at }, timeLabel(first.created_at, o.locale)),
          ),
    )
    for (const m of g.items) {
      let shownMsg = m
      if (m.author.type === 'visitor') {
        const label = offered && offered.get(m.body.trim())
        if (label) shownMsg = { ...m, body: label }
        offered = null
      } else if (!g.system) offered = offers(m)
      li.appendChild(h('div', { class: 'm' + (m.pending ? ' p' : ''), 'data-seq': m.pending ? null : m.seq, 'data-id': m.pending ? null : m.id }, body(shownMsg, o), status(m, o), deleter(m, o)))
      if (g.mine && m.seq === lastMine && lastMine > 0 && o.agentReadSeq >= lastMine) li.appendChild(h('div', { class: 'seen' }, o.t.seen))
    }
    ol.appendChild(li)
  }
  return ol
}
