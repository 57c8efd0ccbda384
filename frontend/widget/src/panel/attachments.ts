// A message's files: images as thumbnails that open full size in an
// overlay, anything else as a card (name, type, size) with a download link.
// URLs are signed paths on Parley's origin that expire: one that has expired
// (or fails to load, a 410) is renewed once through the REST API. Names are
// text nodes and alt text, never markup.
import { h } from './dom'
import { expired, humanSize, isImage, parleyUrl, typeLabel } from './files'
import { fill, type Strings } from './i18n'
import type { Attachment } from './types'

export interface FileView {
  base: string // Parley's origin
  t: Strings
  locale: string
  /** fresh is the newest copy known of a (renewed URLs). */
  fresh: (a: Attachment) => Attachment
  /** renew asks for new URLs of a (null when it is gone). */
  renew: (a: Attachment) => Promise<Attachment | null>
}

/** ready calls use with a copy of a whose URLs work, renewing them first when they expired. */
function ready(a: Attachment, o: FileView, use: (a: Attachment) => void) {
  const f = o.fresh(a)
  if (!expired(f)) return use(f)
  void o.renew(f).then((n) => n && use(n))
}

function thumb(a: Attachment, o: FileView): HTMLElement {
  const img = h('img', { alt: a.name, loading: 'lazy', decoding: 'async' })
  if (a.image && a.image.width > 0 && a.image.height > 0) {
    img.width = Math.min(240, a.image.width)
    img.height = Math.round((img.width * a.image.height) / a.image.width)
  }
  let renewed = false
  img.addEventListener('error', () => {
    // Expired (410) or gone: new URLs, once.
    if (renewed) return
    renewed = true
    void o.renew(o.fresh(a)).then((n) => {
      const src = n && parleyUrl(o.base, n.thumbnail_url)
      if (src) img.src = src
    })
  })
  ready(a, o, (f) => {
    const src = parleyUrl(o.base, f.thumbnail_url)
    if (src) img.src = src
  })
  const b = h('button', { type: 'button', class: 'th', 'data-fid': 'th-' + a.id, 'aria-label': fill(o.t.openImage, { f: a.name }) }, img)
  b.addEventListener('click', () => ready(a, o, (f) => lightbox(f, o, b)))
  return b
}

function card(a: Attachment, o: FileView): HTMLElement {
  const link = h('a', { class: 'fn', download: a.name, rel: 'noopener', 'data-fid': 'dl-' + a.id, title: fill(o.t.download, { f: a.name }) }, a.name)
  let cur = o.fresh(a)
  const set = (f: Attachment) => {
    cur = f
    const href = parleyUrl(o.base, f.url)
    if (href) link.href = href
    else link.removeAttribute('href')
  }
  set(cur)
  link.addEventListener('click', (e) => {
    if (!expired(cur)) return
    // Expired: new URLs first, then the download.
    e.preventDefault()
    void o.renew(cur).then((n) => {
      if (!n || expired(n)) return
      set(n)
      if (link.href) link.click()
    })
  })
  return h('div', { class: 'fc' }, link, h('span', { class: 'fm' }, typeLabel(a) + ' · ' + humanSize(a.size, o.locale)))
}

/** files draws a message's attachments (null when it has none). */
export function files(list: Attachment[] | undefined, o: FileView): HTMLElement | null {
  const ok = (list || []).filter((a) => a && typeof a.id === 'string' && typeof a.name === 'string')
  if (!ok.length) return null
  return h('div', { class: 'fs' }, ok.map((a) => (isImage(a) ? thumb(a, o) : card(a, o))))
}

/**
 * lightbox shows an image full size over the panel: a modal dialog that
 * keeps the focus inside, closes on Escape, the close button or a click
 * outside the image, and gives the focus back to back.
 */
export function lightbox(a: Attachment, o: FileView, back: HTMLElement): HTMLElement | null {
  const src = parleyUrl(o.base, a.url)
  if (!src) return null
  const img = h('img', { src, alt: a.name })
  const close = h('button', { type: 'button', class: 'icon lx', 'aria-label': o.t.closeImage }, '×')
  const dl = h('a', { href: src, download: a.name, class: 'btn' }, fill(o.t.download, { f: a.name }))
  const box = h('div', { class: 'lb', role: 'dialog', 'aria-modal': 'true', 'aria-label': a.name }, close, img, dl)
  // Everything behind the overlay is inert: the focus stays in it.
  const behind = [...document.body.children].filter((el) => !el.hasAttribute('inert'))
  let renewed = false
  img.addEventListener('error', () => {
    if (renewed) return
    renewed = true
    void o.renew(a).then((n) => {
      const s = n && parleyUrl(o.base, n.url)
      if (s) {
        img.src = s
        dl.href = s
      }
    })
  })
  const end = () => {
    box.remove()
    for (const el of behind) el.removeAttribute('inert')
    back.focus()
  }
  close.addEventListener('click', end)
  box.addEventListener('click', (e) => e.target === box && end())
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      // The panel's own Escape (close the chat) must not run too.
      e.preventDefault()
      e.stopPropagation()
      end()
    } else if (e.key === 'Tab') {
      const first = close
      const last = dl
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault()
        last.focus()
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault()
        first.focus()
      }
    }
  })
  for (const el of behind) el.setAttribute('inert', '')
  document.body.appendChild(box)
  close.focus()
  return box
}
