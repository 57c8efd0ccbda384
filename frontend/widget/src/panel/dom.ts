// A tiny DOM builder. Strings always become text nodes: nothing here (or
// anywhere in the widget) parses HTML, so visitor, agent and bot text can
// never become markup.

type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>
export type Child = Node | string | null | undefined | false | Child[]

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue
      if (typeof v === 'function') el.addEventListener(k.slice(2), v)
      else if (k === 'class') el.className = String(v)
      else el.setAttribute(k, v === true ? '' : String(v))
    }
  }
  add(el, children)
  return el
}

export function add(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) add(el, c)
    else el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c)
  }
}

/** safeUrl returns an http(s) URL's href, or null for anything else (javascript:, data:, …). */
export function safeUrl(u: unknown): string | null {
  if (typeof u !== 'string' || u.length > 2048) return null
  try {
    const url = new URL(u)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

const urlRe = /\bhttps?:\/\/[^\s<>"'`]+/gi

/**
 * linkify turns text into text nodes and links for the http(s) URLs in it.
 * Nothing else becomes a link: markdown like [x](javascript:…) stays text.
 */
export function linkify(text: string, label: (href: string) => string): Child[] {
  const out: Child[] = []
  let last = 0
  for (const m of text.matchAll(urlRe)) {
    let raw = m[0]
    const trail = /[.,;:!?)\]]+$/.exec(raw)
    if (trail) raw = raw.slice(0, -trail[0].length)
    const href = safeUrl(raw)
    const i = m.index || 0
    if (!href) continue
    if (i > last) out.push(text.slice(last, i))
    out.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow ugc', title: label(raw) }, raw))
    last = i + raw.length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

/** initials of a name, from its words that start with a letter: "Ann Lee" → "AL", "Visitor 35EF" → "V". */
export function initials(name: string | undefined): string {
  const parts = (name || '').trim().split(/\s+/).filter((p) => /^\p{L}/u.test(p))
  if (!parts.length) return '?'
  return (Array.from(parts[0])[0] + (parts.length > 1 ? Array.from(parts[parts.length - 1])[0] : '')).toUpperCase()
}

/** isEmail is the widget's check of an address before it is sent. */
export const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)

/**
 * emailForm is the one-field email form (the away box, the "answer by
 * email" offer, the transcript); its owner keeps it across renders so what
 * the visitor types stays, and paints it with paintEmailForm.
 */
export function emailForm(id: string, noteId: string, cls: string, submit: (email: string) => void): HTMLFormElement {
  const input = h('input', { type: 'email', id, name: 'email', autocomplete: 'email', required: true })
  const form = h('form', { class: cls, novalidate: true }, h('label', { for: id }), h('div', { class: 'row' }, input, h('button', { type: 'submit' })), h('p', { id: noteId, class: 'err', role: 'alert' }))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    submit(input.value.trim())
  })
  return form
}

export function paintEmailForm(f: HTMLFormElement, label: string, button: string, note: string, busy = false) {
  f.querySelector('label')!.textContent = label
  const b = f.querySelector('button')!
  b.textContent = button
  b.disabled = busy
  const n = f.querySelector('.err')!
  n.textContent = note
  if (note) f.querySelector('input')!.setAttribute('aria-describedby', n.id)
  else f.querySelector('input')!.removeAttribute('aria-describedby')
}

/** icon is a stroked 24×24 SVG icon, hidden from screen readers (its button has the label). */
export function icon(d: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', 'ic')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', d)
  svg.appendChild(path)
  return svg
}
