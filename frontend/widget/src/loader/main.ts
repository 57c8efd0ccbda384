// The per-tenant loader, served as /widget/<key>.js with the tenant's
// settings inlined in place of __PARLEY_CONFIG__. It draws the launcher and
// greeting bubble in a shadow root, defines window.Parley (replaying any
// calls queued before it ran) and creates the panel's iframe only when the
// visitor opens it: nothing is stored and no socket is opened before that.
// The visitor token lives here, in the host page's own storage (a
// cross-site frame's storage is blocked or partitioned), once the panel says
// the visitor has a conversation; a page with a stored token loads the panel
// hidden, so an answer shows as a badge and a preview on the launcher.
// It defines no global but window.Parley and never replaces the host's
// handlers (it only adds listeners).
import type { LoaderConfig } from './config'
import { css } from './styles'
import { loaderStrings } from './strings'
import { originAllowed } from '../shared/origin'
import { pickLocale, browserLanguages } from '../shared/locale'
import { safeColor, textOn } from '../shared/color'
import { isMsg, cleanAttributes, cleanIdentity, cleanSaved, type Identity, type Attributes, type HostMsg, type Saved } from '../shared/protocol'

declare const __PARLEY_CONFIG__: LoaderConfig

type Fn = (...a: unknown[]) => void
interface ParleyFn {
  (cmd: string, ...args: unknown[]): void
  q?: ArrayLike<unknown>[]
  loaded?: boolean
}

const w = window as unknown as { Parley?: ParleyFn }
const prev = w.Parley
if (!(prev && prev.loaded)) start(__PARLEY_CONFIG__, prev && prev.q ? Array.from(prev.q) : [])

function start(cfg: LoaderConfig, queue: ArrayLike<unknown>[]) {
  const handlers: Record<string, Fn[]> = {}
  const emit = (ev: string, data?: unknown) => {
    for (const fn of handlers[ev] || []) {
      try {
        fn(data)
      } catch (e) {
        console.error(e)
      }
    }
  }
  let ready = false
  let dispatch = (cmd: string, args: unknown[]) => {
    if (cmd === 'on' && typeof args[1] === 'function') (handlers[String(args[0])] ||= []).push(args[1] as Fn)
  }
  const api: ParleyFn = (cmd: string, ...args: unknown[]) => dispatch(cmd, args)
  api.loaded = true
  w.Parley = api

  const here = location.origin
  if (!originAllowed(here, cfg.allowed)) {
    // Not on one of the tenant's sites: answer calls, draw nothing.
    console.warn(`Parley: this site (${here}) is not in the widget's allowed domains.`)
    for (const a of queue) dispatch(String(a[0]), Array.prototype.slice.call(a, 1))
    return
  }

  const t = loaderStrings[pickLocale(cfg.locale, browserLanguages())]
  const frameOrigin = cfg.origin
  let identity: Identity | null = null
  let attributes: Attributes = {}
  let open = false
  let resetPending = false
  let dismissed = false
  let frame: HTMLIFrameElement | null = null
  let frameReady = false
  const dark = matchMedia('(prefers-color-scheme: dark)')
  const SK = 'parley:' + cfg.key
  let saved: Saved | null = null
  const store = (s: Saved | null) => {
    try {
      if (s) localStorage.setItem(SK, JSON.stringify(s))
      else localStorage.removeItem(SK)
    } catch {
      /* blocked storage: the session lasts as long as the page */
    }
  }
  try {
    saved = cleanSaved(JSON.parse(localStorage.getItem(SK) || 'null'))
  } catch {
    /* none */
  }
  // #parley-conversation=<id> (the links in Parley's emails) opens that conversation.
  const deep = () => (/(?:^#|&)parley-conversation=([\w-]{1,64})/.exec(location.hash) || [])[1] || ''
  let conv = deep()

  // DOM: <div data-parley> with an open shadow root.
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, parent?: Node) => {
    const e = document.createElement(tag)
    if (cls) e.className = cls
    if (parent) parent.appendChild(e)
    return e
  }
  const host = el('div')
  host.setAttribute('data-parley', '')
  const root = host.attachShadow({ mode: 'open' })
  // A constructed sheet is not blocked by a strict host CSP; <style> is the fallback.
  try {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    root.adoptedStyleSheets = [sheet]
  } catch {
    el('style', '', root).textContent = css
  }
  const color = safeColor(cfg.color)
  const wrap = el('div', 'w ' + (cfg.theme === 'dark' ? 'd' : cfg.theme === 'light' ? '' : 'a') + (cfg.position === 'left' ? ' l' : ''), root)
  wrap.style.setProperty('--c', color)
  wrap.style.setProperty('--f', textOn(color))

  const box = el('div', 'fr', wrap)
  box.hidden = true
  const bubble = el('div', 'bb', wrap)
  bubble.hidden = true
  bubble.setAttribute('role', 'status')
  const bubbleText = el('span', '', bubble)
  const dismiss = el('button', '', bubble)
  dismiss.type = 'button'
  dismiss.textContent = '×'
  dismiss.setAttribute('aria-label', t[2])
  const launcher = el('button', 'lc', wrap)
  launcher.type = 'button'
  launcher.setAttribute('aria-haspopup', 'dialog')
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  path.setAttribute('d', 'M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4 21.5l4.3-2.2c1.2.4 2.4.6 3.7.6 5.5 0 10-3.8 10-8.5S17.5 3 12 3z')
  svg.appendChild(path)
  launcher.appendChild(svg)
  if (cfg.launcherText) el('span', '', launcher).textContent = cfg.launcherText
  el('i', '', launcher).textContent = '×'
  const badge = el('span', 'bd', launcher)
  badge.hidden = true
  badge.setAttribute('aria-hidden', 'true')
  let unread = 0
  const label = () => {
    launcher.setAttribute('aria-label', (open ? t[1] : t[0]) + (unread && !open ? ', ' + t[3].replace('{n}', String(unread)) : ''))
    launcher.setAttribute('aria-expanded', String(open))
  }
  label()

  launcher.addEventListener('click', () => (open ? hide(true) : show()))
  bubble.addEventListener('click', (e) => {
    if (e.target !== dismiss) show()
  })
  dismiss.addEventListener('click', () => {
    dismissed = true
    bubble.hidden = true
    launcher.focus()
  })

  const greeting = () => {
    const name = identity && identity.name
    return name && cfg.greetingIdentified ? cfg.greetingIdentified.split('{name}').join(name) : cfg.greetingAnonymous
  }
  const showGreeting = () => {
    const text = greeting()
    if (!open && !dismissed && text) {
      bubbleText.textContent = text
      bubble.hidden = false
    }
  }
  if (cfg.greetingDelay >= 0) setTimeout(showGreeting, cfg.greetingDelay * 1000)

  // Host ↔ panel messages: exact origin and window both ways.
  // Before the panel is ready nothing is sent: its init carries the state.
  const post = (m: HostMsg) => {
    if (frame && frameReady && frame.contentWindow) frame.contentWindow.postMessage(m, frameOrigin)
  }
  addEventListener('message', (e: MessageEvent) => {
    if (!frame || e.origin !== frameOrigin || e.source !== frame.contentWindow || !isMsg(e.data)) return
    const d = e.data as { type: string; count?: unknown; message?: unknown; code?: unknown; detail?: unknown }
    switch (d.type) {
      case 'ready': {
        frameReady = true
        const init: HostMsg = { parley: 1, type: 'init', identity, attributes, dark: dark.matches, url: location.href, open, reset: resetPending, saved, conv, name: cfg.name }
        resetPending = false
        frame.contentWindow!.postMessage(init, frameOrigin)
        break
      }
      case 'close':
        hide(true)
        break
      case 'unread':
        unread = typeof d.count === 'number' && d.count > 0 ? Math.floor(d.count) : 0
        badge.textContent = unread > 9 ? '9+' : String(unread)
        badge.hidden = open || unread === 0
        label()
        break
      case 'token':
        store((saved = cleanSaved((d as { saved?: unknown }).saved)))
        break
      case 'message': {
        // A short preview of an answer that arrives while the panel is closed.
        const m = d.message as { body?: unknown; author?: { type?: unknown; name?: unknown } }
        if (!open && m && typeof m.body === 'string' && m.author && m.author.type !== 'system') {
          const who = typeof m.author.name === 'string' ? m.author.name + ': ' : ''
          const text = who + m.body
          bubbleText.textContent = text.length > 90 ? text.slice(0, 89) + '…' : text
          bubble.hidden = false
        }
        emit('message', d.message)
        break
      }
      case 'error': {
        const err = { code: String(d.code), detail: String(d.detail) }
        console.error('Parley: ' + err.detail)
        emit('error', err)
        break
      }
    }
  })
  dark.addEventListener('change', () => post({ parley: 1, type: 'scheme', dark: dark.matches }))

  function load() {
    if (frame) return
    frame = el('iframe', '', box)
    frame.title = cfg.name ? `${t[4]}: ${cfg.name}` : t[4]
    // allow-downloads: the panel's "Download my data" saves a file.
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads')
    frame.src = `${frameOrigin}/widget/${encodeURIComponent(cfg.key)}/frame#origin=${encodeURIComponent(here)}`
  }
  function show() {
    if (open) return
    open = true
    bubble.hidden = true
    load()
    box.hidden = false
    wrap.classList.add('o')
    badge.hidden = true
    label()
    frame!.focus()
    post({ parley: 1, type: 'visible', open: true })
    emit('open')
  }
  function hide(focusLauncher: boolean) {
    if (!open) return
    open = false
    box.hidden = true
    wrap.classList.remove('o')
    badge.hidden = unread === 0
    label()
    post({ parley: 1, type: 'visible', open: false })
    if (focusLauncher) launcher.focus()
    emit('close')
  }

  function run(cmd: string, args: unknown[]) {
    switch (cmd) {
      case 'identify':
        identity = cleanIdentity(args[0])
        if (!bubble.hidden) showGreeting()
        post({ parley: 1, type: 'identify', identity })
        break
      case 'setAttributes':
        attributes = { ...attributes, ...cleanAttributes(args[0]) }
        post({ parley: 1, type: 'attributes', attributes: cleanAttributes(args[0]) })
        break
      case 'open':
        show()
        break
      case 'close':
        hide(false)
        break
      case 'toggle':
        if (open) hide(false)
        else show()
        break
      case 'reset':
        // Forgotten here at once; the panel revokes the token on the server.
        identity = null
        attributes = {}
        store(null)
        if (frameReady) post({ parley: 1, type: 'reset' })
        else resetPending = true
        break
      case 'on':
      case 'off': {
        const [ev, fn] = args
        if (typeof ev !== 'string' || typeof fn !== 'function') break
        const list = (handlers[ev] ||= [])
        if (cmd === 'off') handlers[ev] = list.filter((f) => f !== fn)
        else {
          list.push(fn as Fn)
          if (ev === 'ready' && ready) (fn as Fn)()
        }
        break
      }
      default:
        console.warn(`Parley: unknown command "${cmd}"`)
    }
  }

  // Until the launcher is mounted, calls join the pre-load queue, in order.
  const pending = Array.from(queue, (a) => Array.from(a))
  dispatch = (cmd, args) => pending.push([cmd, ...args])
  const mount = () => {
    document.body.appendChild(host)
    for (const a of pending) run(String(a[0]), a.slice(1))
    dispatch = run
    ready = true
    emit('ready')
    if (conv) show()
    else if (saved) load()
  }
  // A reset in another tab of the site resets this one too.
  addEventListener('storage', (e) => {
    if (e.key === SK && !e.newValue && saved && frameReady) {
      saved = null
      post({ parley: 1, type: 'reset' })
    }
  })
  addEventListener('hashchange', () => {
    const c = deep()
    if (c) {
      conv = c
      show()
      post({ parley: 1, type: 'conv', conv })
    }
  })
  if (document.body) mount()
  else addEventListener('DOMContentLoaded', mount)
}
