// The chat panel: session, conversations, live updates, outbox, and the
// whole UI. It runs in the iframe served from Parley's origin; the host page
// is reached only through the `host` function (postMessage with an exact
// target origin, see main.ts).
import { Api, ApiError, type VisitorPatch } from './api'
import { Socket } from './socket'
import { Outbox, SendError, isNew, newId, type KV } from './outbox'
import { tokenFor, type TokenStore } from './storage'
import { contiguousSeq, group, maxSeq, merge, shown, unreadCount } from './messages'
import { log } from './view'
import { h, icon, initials, add, isEmail, emailForm, paintEmailForm } from './dom'
import { strings, fill, type Strings } from './i18n'
import { backAt } from './time'
import { queueText } from './queue'
import { Transcript } from './transcript'
import { MyData, saveFile } from './mydata'
import { Survey } from './survey'
import { Uploads } from './uploads'
import { MAX_FILES, checkFile, parleyUrl, uploadError } from './files'
import type { FileView } from './attachments'
import { pickLocale, browserLanguages, type Locale } from '../shared/locale'
import { contrast, safeColor, textOn } from '../shared/color'
import type { Attributes, HostMessageEvent, Identity, PanelMsg } from '../shared/protocol'
import type { Attachment, Author, Conversation, Message, ServerFrame, UploadPolicy, Visitor, WidgetConfig } from './types'

export interface PanelOptions {
  key: string
  base: string // Parley's origin, for the API and the socket
  kv: KV // the frame's storage, for the outbox
  tokens: TokenStore // the visitor token
  host: (m: PanelMsg) => void // posts to the host page (no-op when standalone)
  embedded: boolean
  root: HTMLElement
}

type Phase = 'wait' | 'loading' | 'ready' | 'error'

export class Panel {
  private api: Api
  private socket: Socket
  private outbox: Outbox
  private t: Strings = strings.en
  private locale: Locale = 'en'
  private phase: Phase = 'wait'
  private error = ''
  private config: WidgetConfig | null = null
  private visitor: Visitor | null = null
  private convs: Conversation[] = []
  private msgs = new Map<string, Message[]>()
  private loaded = new Set<string>()
  /** Conversations whose messages failed to load: shown as such, retried on reconnect. */
  private failed = new Set<string>()
  private current: string | null = null // conversation id, "new:…" draft, or null (new, nothing typed)
  private view: 'list' | 'chat' | 'data' = 'chat'
  private typing = new Map<string, { name: string; until: number }>()
  private wasUp = false
  private visible = false
  private hostDark = false
  private identity: Identity | null = null
  private patch: VisitorPatch = {}
  private emailNote = ''
  private emailDone = ''
  private unreadSent = -1
  private typingSentAt = 0
  private typingIdle: ReturnType<typeof setTimeout> | undefined
  private typingTick: ReturnType<typeof setTimeout> | undefined
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private renewTimer: ReturnType<typeof setTimeout> | undefined
  private generation = 0
  private queued = false
  private wanted = '' // the conversation a deep link asked for
  private name = '' // the tenant's name from the loader: the header before (or without) a session
  private savedFor: string | null = null // the verified identity id the token is for
  // Files: the tenant's upload policy (asked once the panel is seen), the
  // files being attached, attachments with renewed URLs, and deleting one's
  // own message (the one asked about, the one that failed).
  private policy: UploadPolicy | null = null
  private policyReq: Promise<UploadPolicy | null> | null = null
  private policyTried = false
  private uploads: Uploads
  private fresh = new Map<string, Attachment>()
  private renewing = new Map<string, Promise<Attachment | null>>()
  private delAsking = ''
  private delFailed = ''

  // Persistent elements.
  private header = h('header', { class: 'hd' })
  private banner = h('div', { class: 'banner', role: 'status' })
  private queueEl = h('div', { class: 'qu' }) // place in the hand-off queue (issue 6)
  private main = h('main', { class: 'main', id: 'main' })
  private inner = h('div') // main's content, watched for late growth (a card's image, the away note)
  private pinned = true // the view follows the newest message until the visitor scrolls up
  private typingEl = h('div', { class: 'typing', 'aria-hidden': 'true' })
  private tray = h('ul', { class: 'tray' }) // the files being attached
  private trayItems = new Map<number, HTMLLIElement>()
  private trayNote = h('p', { class: 'st err', role: 'alert' })
  private picker = h('input', { type: 'file', multiple: true, hidden: true, tabindex: -1 })
  private clip = h('button', { type: 'button', class: 'clip', hidden: true, onclick: () => this.picker.click() }, icon('M16.5 7v9.5a4.5 4.5 0 0 1-9 0V6a3 3 0 0 1 6 0v10a1.5 1.5 0 0 1-3 0V7'))
  private input = h('textarea', { id: 'msg', rows: 1, maxlength: 10000, autocomplete: 'off' })
  private form: HTMLFormElement
  private live = h('div', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' })
  private transcript: Transcript
  private data: MyData
  private survey: Survey
  // The panel's menu (once the visitor has a conversation): a disclosure
  // button in the header and its list; both persist across renders.
  private menuOpen = false
  private menuItem = h('button', { type: 'button', onclick: () => this.showData() })
  private menu = h('div', { class: 'mn', id: 'mn' }, this.menuItem)
  private menuBtn = h('button', { type: 'button', class: 'icon', 'aria-controls': 'mn', 'aria-expanded': 'false', onclick: () => this.toggleMenu(!this.menuOpen) }, '⋯')

  constructor(private o: PanelOptions) {
    this.api = new Api(o.base, o.key)
    // A token revoked elsewhere (a reset on another device of a verified
    // user) or expired: start a session again; what is typed stays queued.
    // The saved token goes along: the server renews an expired anonymous
    // one (same visitor, same history) and starts anew for a revoked one.
    this.api.authLost = () => {
      // While a delete runs, the server revokes the token first: not a lost session.
      if (this.phase !== 'ready' || this.data.erasing) return
      this.api.token = ''
      void this.start()
    }
    this.transcript = new Transcript({
      send: (conv, email) => this.api.transcript(conv, email),
      email: () => this.emailDone || this.visitor?.email || this.identity?.email || '',
      render: () => this.render(),
      root: this.main,
    })
    this.data = new MyData({
      load: () => this.api.exportVisitor(),
      erase: () => this.api.eraseVisitor(),
      save: saveFile,
      erased: () => this.erased(),
      restart: () => void this.start(),
      render: () => this.render(),
      root: this.main,
    })
    this.survey = new Survey({
      rate: (conv, body) => this.api.rate(conv, body),
      rated: (c) => {
        this.upsert(c)
        this.render()
      },
      reload: () => this.reloadConversations(),
      render: () => this.render(),
      root: this.main,
    })
    this.outbox = new Outbox(o.kv, this.storeKey('outbox'), () => this.render())
    this.socket = new Socket({
      url: () => o.base.replace(/^http/, 'ws') + '/api/v1/ws?access_token=' + encodeURIComponent(this.api.token),
      frame: (f) => this.onFrame(f),
      up: () => this.onUp(),
      down: () => this.render(),
    })
    const label = h('label', { for: 'msg', class: 'sr' })
    const send = h('button', { type: 'submit', class: 'send' })
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
    svg.setAttribute('viewBox', '0 0 24 24')
    svg.setAttribute('aria-hidden', 'true')
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
    path.setAttribute('d', 'M3 20.5 21 12 3 3.5l2.8 7.2L15 12l-9.2 1.3z')
    svg.appendChild(path)
    send.appendChild(svg)
    this.form = h('form', { class: 'cmp' }, label, this.clip, this.picker, this.input, send)
    this.uploads = new Uploads(
      {
        send: (f, progress) => this.api.upload(f, progress),
        check: (f) => (this.policy ? checkFile(f, this.policy, this.t, this.locale) : fill(this.t.upFailed, { f: f.name })),
        refused: (e, f) => uploadError((e as ApiError).status || 0, (e as ApiError).message || '', f.name, this.policy, this.t, this.locale),
        changed: () => this.drawTray(),
      },
      MAX_FILES,
    )
    this.picker.addEventListener('change', () => {
      void this.attach([...(this.picker.files || [])])
      this.picker.value = ''
    })
    this.input.addEventListener('paste', (e) => {
      const list = [...(e.clipboardData?.files || [])]
      if (!list.length) return
      e.preventDefault()
      void this.attach(list)
    })
    // Files dropped anywhere on the panel are attached; a drop never
    // navigates the frame to the file.
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files')
    o.root.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      o.root.classList.toggle('drop', this.canAttach())
    })
    o.root.addEventListener('dragleave', (e) => {
      if (!o.root.contains(e.relatedTarget as Node | null)) o.root.classList.remove('drop')
    })
    o.root.addEventListener('drop', (e) => {
      o.root.classList.remove('drop')
      if (!hasFiles(e)) return
      e.preventDefault()
      if (this.canAttach()) void this.attach([...(e.dataTransfer?.files || [])])
    })
    this.form.addEventListener('submit', (e) => {
      e.preventDefault()
      this.submit()
    })
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault()
        this.submit()
      }
    })
    this.input.addEventListener('input', () => {
      this.grow()
      this.typed()
    })
    this.main.appendChild(this.inner)
    this.main.addEventListener('scroll', () => {
      const m = this.main
      this.pinned = m.scrollHeight - m.scrollTop - m.clientHeight < 60
    })
    // Content that grows after layout (an image in a card, a late note) or a
    // panel that becomes visible keeps the newest message in view.
    if (typeof ResizeObserver !== 'undefined') {
      const ro = new ResizeObserver(() => this.pinned && this.toBottom())
      ro.observe(this.inner)
      ro.observe(this.main)
    }
    o.root.replaceChildren(this.header, this.banner, this.queueEl, this.main, this.typingEl, this.tray, this.trayNote, this.form, this.live)
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return
      if (this.menuOpen) {
        e.preventDefault()
        this.toggleMenu(false)
        this.menuBtn.focus()
      } else if (o.embedded) {
        e.preventDefault()
        o.host({ parley: 1, type: 'close' })
      }
    })
    document.addEventListener('click', (e) => {
      const on = e.target as Node
      if (this.menuOpen && !this.menu.contains(on) && !this.menuBtn.contains(on)) this.toggleMenu(false)
    })
    document.addEventListener('visibilitychange', () => this.markRead())
    this.applyLocale('')
    this.render()
  }

  private storeKey(what: string) {
    return `parley:${this.o.key}:${what}`
  }

  // ---- host commands -------------------------------------------------

  init(identity: Identity | null, attributes: Attributes, dark: boolean, url: string, open: boolean, reset: boolean, conv = '') {
    this.hostDark = dark
    this.visible = open
    this.identity = identity
    this.wanted = conv
    this.patch = { attributes: { ...attributes }, current_url: url.slice(0, 2000), locale: navigator.language, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone }
    if (reset) this.forget(this.o.tokens.get()?.token)
    void this.start()
  }

  /** named sets the header's title for when no session says it (a refused identity). */
  named(name: string) {
    this.name = name.slice(0, 200)
    this.render()
  }

  /** show opens one conversation (a deep link from an email), once the list has it. */
  show(conv: string) {
    this.wanted = conv
    if (this.phase === 'ready' && this.conv(conv)) void this.openConversation(conv, false)
  }

  identify(identity: Identity | null) {
    if ((identity?.id || null) === (this.identity?.id || null) && (identity?.user_hash || '') === (this.identity?.user_hash || '')) return
    this.identity = identity
    void this.start()
  }

  attributes(a: Attributes) {
    this.patch.attributes = { ...(this.patch.attributes || {}), ...a }
    void this.flushPatch()
  }

  reset() {
    this.identity = null
    this.patch = { ...this.patch, attributes: {} }
    this.forget(this.api.token)
    void this.start()
  }

  setVisible(open: boolean) {
    this.visible = open
    if (open) {
      this.focusDefault()
      this.markRead()
    }
    this.render()
  }

  setDark(dark: boolean) {
    this.hostDark = dark
    this.applyTheme()
  }

  /** destroy stops the socket and every timer (tests; a frame being torn down). */
  destroy() {
    this.generation++
    this.api.closed = true
    this.socket.stop()
    clearTimeout(this.retryTimer)
    clearTimeout(this.renewTimer)
    clearTimeout(this.typingIdle)
    clearTimeout(this.typingTick)
  }

  /**
   * forget drops the visitor token and everything typed but unsent; given
   * the token (Parley('reset')), it is also revoked on the server, so a copy
   * kept anywhere is refused from now on.
   */
  private forget(revoke?: string) {
    if (revoke) this.api.revoke(revoke).catch(() => {})
    this.api.token = ''
    this.o.tokens.set(null)
    this.outbox.clear()
  }

  /**
   * erased forgets the visitor whose conversations were just deleted, as
   * Parley('reset') does (host-page storage, token, outbox; the server has
   * revoked the token already), and what they told the panel. The identity
   * the page gave stays: the site still says who is logged in.
   */
  private erased() {
    this.generation++
    this.clearSession()
    this.forget()
    this.visitor = null
    this.emailDone = ''
    this.emailNote = ''
    this.emailForm = null
    this.render()
  }

  /** save keeps the token on the host page, only once the visitor has a conversation. */
  private save() {
    if (this.convs.length && this.api.token && this.visitor) this.o.tokens.set({ token: this.api.token, visitor: this.visitor.id, identity: this.savedFor })
  }

  // ---- session -------------------------------------------------------

  /** clearSession drops the conversations and the socket of the session that ends. */
  private clearSession() {
    this.socket.stop()
    this.wasUp = false
    this.convs = []
    this.msgs.clear()
    this.loaded.clear()
    this.failed.clear()
    this.typing.clear()
    this.current = null
    this.uploads.clear()
    this.fresh.clear()
    this.renewing.clear()
    this.policy = null
    this.policyTried = false
    this.delAsking = this.delFailed = this.trayNote.textContent = ''
  }

  private async start() {
    const gen = ++this.generation
    this.clearSession()
    this.view = 'chat'
    this.phase = 'loading'
    this.render()
    // Only a verified identity (with user_hash) is sent as identity; an
    // unverified identify only tells agents a name and email.
    const id = this.identity && this.identity.user_hash ? this.identity : null
    if (this.identity && !id) {
      if (this.identity.name) this.patch.name = this.identity.name
      if (this.identity.email) this.patch.email = this.identity.email
    }
    const saved = this.o.tokens.get()
    let token = tokenFor(saved, id ? id.id : null)
    if (saved && !token) this.forget()
    let res
    for (;;) {
      try {
        res = await this.api.session(token, id)
        break
      } catch (e) {
        if (gen !== this.generation) return
        const err = e as ApiError
        if (err.status === 401 && token) {
          // The saved token may have expired: try once without it.
          token = undefined
          this.forget()
          continue
        }
        if (err.status === 401) return this.fail(id ? 'unauthenticated' : 'verification_required', id ? this.t.identityRefused : this.t.verifyRequired, err.message)
        if (err.status === 403) return this.fail('forbidden', this.t.notHere, err.message)
        if (err.status === 404) return this.fail('not_found', this.t.unavailable, err.message)
        if (err.retry) {
          this.phase = 'error'
          this.error = this.t.unavailable
          this.render()
          await new Promise((r) => setTimeout(r, 5000))
          if (gen !== this.generation) return
          continue
        }
        return this.fail(err.code, this.t.unavailable, err.message)
      }
    }
    if (gen !== this.generation) return
    this.api.token = res.visitor_token
    this.renewBy(res.expires_at)
    this.savedFor = id ? id.id : null
    this.visitor = res.visitor
    this.config = res.config
    this.applyLocale(res.config.widget?.locale || '')
    this.applyTheme()
    if (this.identity && !id && res.config.widget?.require_verified_identity) {
      return this.fail('verification_required', this.t.verifyRequired, 'identify needs a user_hash: this site requires verified identities')
    }
    try {
      this.convs = await this.api.conversations()
    } catch {
      this.convs = []
    }
    if (gen !== this.generation) return
    this.sortConvs()
    this.save()
    this.phase = 'ready'
    // A deep link opens its conversation; several conversations open on their list.
    const want = this.conv(this.wanted)
    if (want) await this.openConversation(want.id, false)
    else if (this.convs.length > 1) this.showList()
    else if (this.convs.length) await this.openConversation(this.convs[0].id, false)
    else this.render()
    this.socket.start()
    void this.flushPatch()
    void this.flush()
    this.focusDefault()
  }

  private fail(code: string, text: string, detail: string) {
    this.phase = 'error'
    this.error = text
    this.render()
    this.o.host({ parley: 1, type: 'error', code, detail: detail || text })
  }

  private applyLocale(forced: string) {
    this.locale = pickLocale(forced, browserLanguages())
    this.t = strings[this.locale]
    document.documentElement.lang = this.locale
    this.input.placeholder = this.t.placeholder
    ;(this.form.querySelector('label') as HTMLElement).textContent = this.t.message
    this.form.querySelector('.send')!.setAttribute('aria-label', this.t.send)
    this.clip.setAttribute('aria-label', this.t.attach)
    this.clip.title = this.t.attach
    this.o.root.dataset.drop = this.t.dropHere
  }

  private applyTheme() {
    const w = this.config?.widget
    const theme = w?.theme === 'light' || w?.theme === 'dark' ? w.theme : this.hostDark ? 'dark' : 'light'
    const de = document.documentElement
    de.dataset.theme = theme
    const c = safeColor(w?.color)
    const bg = theme === 'dark' ? '#111827' : '#ffffff'
    de.style.setProperty('--c', c)
    de.style.setProperty('--f', textOn(c))
    // The tenant colour as text only where it reads (WCAG AA 4.5:1).
    de.style.setProperty('--a', contrast(c, bg) >= 4.5 ? c : theme === 'dark' ? '#e5e7eb' : '#1f2937')
  }

  // ---- conversations -------------------------------------------------

  private sortConvs() {
    this.convs.sort((a, b) => (b.last_activity_at || '').localeCompare(a.last_activity_at || ''))
  }

  private upsert(c: Conversation) {
    const i = this.convs.findIndex((x) => x.id === c.id)
    if (i >= 0) {
      const old = this.convs[i]
      // Read marks only move forward, whatever order frames arrive in.
      c = { ...c, agent_read_seq: Math.max(old.agent_read_seq, c.agent_read_seq || 0), visitor_read_seq: Math.max(old.visitor_read_seq, c.visitor_read_seq || 0) }
      this.convs[i] = c
    } else this.convs.push(c)
    this.sortConvs()
  }

  /** reloadConversations fetches the visitor's conversations again (a stale survey, a 409). */
  private async reloadConversations() {
    const gen = this.generation
    try {
      const list = await this.api.conversations()
      if (gen === this.generation) for (const c of list) this.upsert(c)
    } catch {
      /* the card keeps what it has */
    }
  }

  private conv(id: string | null) {
    return id ? this.convs.find((c) => c.id === id) : undefined
  }

  private async openConversation(id: string, focus = true) {
    this.current = id
    this.pinned = true
    this.view = 'chat'
    this.render()
    if (focus) this.input.focus()
    if (!this.loaded.has(id)) await this.load(id)
  }

  private async load(id: string) {
    const gen = this.generation
    try {
      const have = this.msgs.get(id) || []
      const more = await this.api.allMessages(id, contiguousSeq(have))
      if (gen !== this.generation) return
      this.msgs.set(id, merge(this.msgs.get(id) || [], more))
      this.loaded.add(id)
      this.failed.delete(id)
      for (const m of more) if (m.client_msg_id) this.outbox.ack(m.client_msg_id)
    } catch {
      if (gen === this.generation) this.failed.add(id) // said in the chat, retried on reconnect
    }
    this.render()
    this.markRead()
  }

  private newConversation() {
    this.current = null
    this.view = 'chat'
    this.render()
    this.input.focus()
  }

  private showList() {
    this.view = 'list'
    this.render()
    ;(this.main.querySelector('h2') as HTMLElement | null)?.focus()
  }

  private toggleMenu(open: boolean) {
    this.menuOpen = open
    this.render()
    if (open) queueMicrotask(() => this.menuItem.focus())
  }

  private showData() {
    this.menuOpen = false
    this.pinned = false // a screen to read from the top, not a log to follow
    this.view = 'data'
    this.data.open()
  }

  // ---- live ----------------------------------------------------------

  private async onUp() {
    this.wasUp = true
    if (!this.policy) this.policyTried = false
    this.render()
    // Resume: everything after the last contiguous seq of each loaded
    // conversation, and the list (new conversations, read marks).
    const gen = this.generation
    try {
      const list = await this.api.conversations()
      if (gen !== this.generation) return
      for (const c of list) this.upsert(c)
    } catch {
      /* next time */
    }
    await Promise.all([...this.loaded, ...this.failed].map((id) => this.load(id)))
    void this.flush()
  }

  private onFrame(f: ServerFrame) {
    switch (f.type) {
      case 'message.created':
      case 'message.ack': {
        const m = f.message
        if (!m || !m.conversation_id) return
        this.receive(m, f.type === 'message.created')
        break
      }
      case 'message.deleted':
        if (f.message && f.message.conversation_id) this.deleted(f.message)
        break
      case 'conversation.updated': {
        const c = f.conversation
        if (!c || !c.id) return
        // Resolved just now with a survey: say so to screen readers too.
        if (c.survey && c.id === this.current && this.conv(c.id)?.survey?.resolution !== c.survey.resolution) this.live.textContent = this.t.rateAsk
        this.upsert(c)
        break
      }
      case 'typing':
        if (f.conversation_id && f.author && f.author.type !== 'visitor') {
          if (f.typing) this.typing.set(f.conversation_id, { name: f.author.name || this.t.someone, until: Date.now() + 8000 })
          else this.typing.delete(f.conversation_id)
          clearTimeout(this.typingTick)
          this.typingTick = setTimeout(() => this.render(), 8100)
        }
        break
      case 'read': {
        const c = this.conv(f.conversation_id || null)
        if (c && f.reader && f.reader.type !== 'visitor' && typeof f.seq === 'number') c.agent_read_seq = Math.max(c.agent_read_seq, f.seq)
        break
      }
      case 'presence':
        // A change in who is online: ask for the header's facts again.
        void this.refreshConfig()
        return
      case 'error':
        if (f.client_msg_id) this.outbox.ack(f.client_msg_id)
        break
      default:
        return
    }
    this.render()
  }

  private receive(m: Message, announce: boolean) {
    const id = m.conversation_id
    const have = this.msgs.get(id) || []
    const isNewMsg = !have.some((x) => x.id === m.id)
    const gap = m.seq > contiguousSeq(have) + 1 && this.loaded.has(id)
    this.msgs.set(id, merge(have, [m]))
    if (m.client_msg_id && m.author.type === 'visitor') this.outbox.ack(m.client_msg_id)
    let c = this.conv(id)
    if (!c) {
      // A conversation started elsewhere (another tab or device).
      void this.api.conversations().then((l) => {
        l.forEach((x) => this.upsert(x))
        this.render()
      }, () => {})
    } else {
      // An agent who writes has read the conversation up to there (the
      // server records it so, without a separate read event).
      if (m.author.type === 'agent') c.agent_read_seq = Math.max(c.agent_read_seq, m.seq)
      // The visitor's reply reopens a resolved conversation (the server's
      // rule; its socket gets the message, not the conversation): no survey.
      if (m.author.type === 'visitor' && c.status === 'resolved') {
        c.status = 'open'
        delete c.survey
      }
      c.last_seq = Math.max(c.last_seq, m.seq)
      c.last_message = { seq: m.seq, author: m.author, body: this.preview(m).slice(0, 140), created_at: m.created_at }
      c.last_activity_at = m.created_at
      this.sortConvs()
    }
    if (gap) void this.load(id)
    if (m.author.type !== 'visitor') this.typing.delete(id)
    if (announce && isNewMsg && m.author.type !== 'visitor') {
      const name = m.author.name || (m.author.type === 'bot' ? this.t.bot : this.t.agent)
      // A system line ("Ann joined the conversation") is announced as it is.
      this.live.textContent = m.author.type === 'system' ? m.body.slice(0, 300) : fill(this.t.newFrom, { n: name, b: this.preview(m).slice(0, 300) })
      const ev: HostMessageEvent = { id: m.id, conversation_id: id, seq: m.seq, kind: m.kind, body: m.body, author: { type: m.author.type, name: m.author.name } }
      this.o.host({ parley: 1, type: 'message', message: ev })
      this.markRead()
    }
  }

  /** preview is a message's text for a list or an announcement: its body, else its files. */
  private preview(m: Message): string {
    if (m.kind === 'deleted') return this.t.deleted
    return m.body || (m.attachments || []).map((a) => fill(this.t.attachment, { f: a.name })).join(', ')
  }

  /** deleted shows a message deleted (here, by an agent, or in another tab) in its place. */
  private deleted(m: Message) {
    const id = m.conversation_id
    const have = this.msgs.get(id)
    if (have) this.msgs.set(id, merge(have, [m]))
    const c = this.conv(id)
    if (c?.last_message && c.last_message.seq === m.seq) c.last_message = { ...c.last_message, body: this.t.deleted }
  }

  private async deleteMessage(id: string) {
    const conv = this.current
    if (!conv || isNew(conv)) return
    this.delFailed = ''
    try {
      this.deleted(await this.api.deleteMessage(conv, id))
      this.delAsking = ''
      this.input.focus()
    } catch {
      this.delFailed = id
    }
    this.render()
  }

  private askDelete(id: string) {
    this.delAsking = id
    this.delFailed = ''
    this.render()
    // After the redraw: to the confirmation, or back to the message's button.
    const fid = id ? 'my-' + id : ''
    if (fid) queueMicrotask(() => (this.main.querySelector(`[data-fid="${CSS.escape(fid)}"]`) as HTMLElement | null)?.focus())
  }

  // ---- files ---------------------------------------------------------

  /** canAttach: files may be added now (a policy that is not known yet is asked on the way). */
  private canAttach() {
    return this.phase === 'ready' && this.view === 'chat' && this.policy?.enabled !== false
  }

  /** loadPolicy asks for the upload policy once per session (again after a reconnect if it failed). */
  private loadPolicy(): Promise<UploadPolicy | null> {
    if (this.policy) return Promise.resolve(this.policy)
    if (!this.policyReq) {
      this.policyTried = true
      const gen = this.generation
      this.policyReq = this.api.policy().then(
        (p) => {
          if (gen !== this.generation || !p || typeof p !== 'object') return null
          this.policy = { ...p, kinds: p.kinds || [] }
          this.picker.accept = p.accept || ''
          this.render()
          return this.policy
        },
        () => null,
      )
      void this.policyReq.finally(() => (this.policyReq = null))
    }
    return this.policyReq
  }

  private async attach(list: File[]) {
    if (!list.length || this.phase !== 'ready') return
    this.trayNote.textContent = ''
    await this.loadPolicy()
    this.uploads.add(list, fill(this.t.tooMany, { n: String(MAX_FILES) }))
  }

  /** renew gets fresh URLs for a file of conv (one request at a time per file). */
  private renew(conv: string, a: Attachment): Promise<Attachment | null> {
    if (isNew(conv)) return Promise.resolve(null)
    let p = this.renewing.get(a.id)
    if (!p) {
      p = this.api.file(conv, a.id).then(
        (n) => {
          this.fresh.set(a.id, n)
          return n
        },
        () => null,
      )
      this.renewing.set(a.id, p)
      void p.finally(() => this.renewing.delete(a.id))
    }
    return p
  }

  private fileView(conv: string): FileView {
    return { base: this.o.base, t: this.t, locale: this.locale, fresh: (a) => this.fresh.get(a.id) || a, renew: (a) => this.renew(conv, a) }
  }

  /** drawTray shows the files being attached, each with its progress and a cancel (or remove) button; rows are kept so announcements are not repeated. */
  private drawTray() {
    const t = this.t
    const keep = new Set<number>()
    for (const u of this.uploads.items) {
      keep.add(u.id)
      let li = this.trayItems.get(u.id)
      if (!li) {
        const btn = h('button', { type: 'button', class: 'icon', 'data-fid': 'up-' + u.id, onclick: () => this.uploads.remove(u.id) }, '×')
        li = h('li', null, h('span', { class: 'fn' }, u.name), h('progress', { max: Math.max(1, u.size), 'aria-label': fill(t.uploading, { f: u.name }) }), h('span', { class: 'fm' }), btn)
        this.trayItems.set(u.id, li)
        this.tray.appendChild(li)
      }
      const bar = li.querySelector('progress')!
      bar.value = u.loaded
      bar.hidden = u.state !== 'up'
      const meta = li.querySelector('.fm') as HTMLElement
      if (u.state === 'failed' && !meta.classList.contains('err')) {
        meta.className = 'fm err'
        meta.setAttribute('role', 'alert')
        meta.textContent = u.error || ''
      } else if (u.state !== 'failed') meta.textContent = u.state === 'up' ? Math.floor((100 * u.loaded) / Math.max(1, u.size)) + ' %' : ''
      li.className = u.state
      li.querySelector('button')!.setAttribute('aria-label', fill(u.state === 'up' ? t.cancelUp : t.removeFile, { f: u.name }))
    }
    for (const [id, li] of this.trayItems)
      if (!keep.has(id)) {
        const had = li.contains(document.activeElement)
        li.remove()
        this.trayItems.delete(id)
        if (had) this.input.focus()
      }
    this.tray.hidden = !this.uploads.items.length || !(this.phase === 'ready' && this.view === 'chat')
    if (!this.uploads.busy && this.trayNote.textContent === t.stillUploading) this.trayNote.textContent = ''
  }

  /**
   * renewBy starts a session again halfway to the token's expiry, so a page
   * left open keeps a working token (the session renews it).
   */
  private renewBy(expires: string | undefined) {
    clearTimeout(this.renewTimer)
    const left = Date.parse(expires || '') - Date.now()
    if (left > 0) this.renewTimer = setTimeout(() => void this.refreshConfig(), Math.min(Math.max(left / 2, 60000), 2 ** 31 - 1))
  }

  /** refreshConfig starts a session again: new facts for the header, and a renewed token for the same visitor. */
  private async refreshConfig() {
    if (this.phase !== 'ready') return
    try {
      const id = this.identity && this.identity.user_hash ? this.identity : null
      const res = await this.api.session(this.api.token, id)
      this.config = res.config
      if (res.visitor.id === this.visitor?.id) {
        this.api.token = res.visitor_token
        this.renewBy(res.expires_at)
        this.save()
      }
      this.render()
    } catch {
      /* keep what we have */
    }
  }

  private markRead() {
    const id = this.current
    if (!this.visible || this.view !== 'chat' || !id || isNew(id) || document.visibilityState === 'hidden') return this.sendUnread()
    const c = this.conv(id)
    const seq = maxSeq(this.msgs.get(id) || [])
    if (c && seq > c.visitor_read_seq) {
      c.visitor_read_seq = seq
      if (!this.socket.send({ type: 'read', conversation_id: id, seq })) this.api.read(id, seq).catch(() => {})
    }
    this.sendUnread()
  }

  private unread(): number {
    let n = 0
    for (const c of this.convs) {
      const m = this.msgs.get(c.id)
      if (m && this.loaded.has(c.id)) n += unreadCount(m, c.visitor_read_seq)
      else if (c.last_message && c.last_message.author.type !== 'visitor' && c.last_seq > c.visitor_read_seq) n += 1
    }
    return n
  }

  private sendUnread() {
    const n = this.unread()
    if (n !== this.unreadSent) {
      this.unreadSent = n
      this.o.host({ parley: 1, type: 'unread', count: n })
    }
  }

  // ---- sending -------------------------------------------------------

  private submit() {
    const text = this.input.value.trim()
    if (this.phase !== 'ready') return
    if (this.uploads.busy) {
      this.trayNote.textContent = this.t.stillUploading
      return
    }
    const files = this.uploads.files
    if (!text && !files.length) return
    this.uploads.take()
    this.trayNote.textContent = ''
    this.input.value = ''
    this.grow()
    this.stopTyping()
    this.sendText(text, files)
  }

  private sendText(text: string, files: Attachment[] = []) {
    if (!this.current || this.view !== 'chat') {
      this.current = 'new:' + newId()
      this.view = 'chat'
    }
    this.pinned = true
    this.outbox.add(this.current, text, undefined, undefined, files)
    void this.flush()
  }

  private async flush() {
    if (this.phase !== 'ready') return
    const gen = this.generation
    clearTimeout(this.retryTimer)
    await this.outbox.flush(async (item) => {
      if (gen !== this.generation) throw new SendError('session changed', true)
      const ids = (item.files || []).map((f) => f.id)
      try {
        if (isNew(item.conv)) {
          const { timezone, locale, current_url } = this.patch
          const r = await this.api.start(item.body, item.cmid, { timezone, locale, current_url }, ids)
          this.upsert(r.conversation)
          this.msgs.set(r.conversation.id, merge(this.msgs.get(r.conversation.id) || [], [r.message]))
          this.loaded.add(r.conversation.id)
          this.save()
          if (this.current === item.conv) this.current = r.conversation.id
          void this.flushPatch()
          return { conversationId: r.conversation.id }
        }
        const m = await this.api.send(item.conv, item.body, item.cmid, ids)
        this.msgs.set(item.conv, merge(this.msgs.get(item.conv) || [], [m]))
        return { conversationId: item.conv }
      } catch (e) {
        const err = e as ApiError
        throw new SendError(err.message, err instanceof ApiError ? err.retry : true)
      }
    })
    this.render()
    if (gen === this.generation && this.outbox.items.some((i) => i.state === 'queued') && !this.socket.connected) {
      // Still offline: the socket's reconnect will flush; a timer covers a socket-less network.
      this.retryTimer = setTimeout(() => void this.flush(), 10000)
    }
  }

  private async flushPatch() {
    if (this.phase !== 'ready' || !this.convs.length) return
    const p = this.patch
    const body: VisitorPatch = {}
    for (const [k, v] of Object.entries(p)) if (v !== undefined && !(typeof v === 'object' && !Object.keys(v).length)) (body as Record<string, unknown>)[k] = v
    if (!Object.keys(body).length) return
    this.patch = {}
    try {
      await this.api.patchVisitor(body)
    } catch {
      this.patch = { ...body, ...this.patch }
    }
  }

  private typed() {
    const id = this.current
    if (!id || isNew(id) || !this.socket.connected) return
    const now = Date.now()
    if (now - this.typingSentAt > 3000) {
      this.typingSentAt = now
      this.socket.send({ type: 'typing', conversation_id: id, typing: true })
    }
    clearTimeout(this.typingIdle)
    this.typingIdle = setTimeout(() => this.stopTyping(), 4000)
  }

  private stopTyping() {
    clearTimeout(this.typingIdle)
    if (this.typingSentAt && this.current && !isNew(this.current)) this.socket.send({ type: 'typing', conversation_id: this.current, typing: false })
    this.typingSentAt = 0
  }

  private async saveEmail(email: string) {
    if (!isEmail(email)) {
      this.emailNote = this.t.emailBad
      this.render()
      return
    }
    try {
      const v = await this.api.patchVisitor({ email })
      this.visitor = { ...(this.visitor as Visitor), email: v.email || email }
      this.emailDone = email
      this.emailNote = ''
    } catch (e) {
      this.emailNote = (e as Error).message || this.t.unavailable
    }
    this.render()
    ;(this.main.querySelector('.off [role=status], .ask [role=status]') as HTMLElement | null)?.focus()
  }

  // ---- rendering -----------------------------------------------------

  private emailForm: HTMLFormElement | null = null

  private toBottom() {
    this.main.scrollTop = this.main.scrollHeight
  }

  private grow() {
    this.input.style.height = 'auto'
    this.input.style.height = Math.min(this.input.scrollHeight, 120) + 'px'
  }

  private focusDefault() {
    if (!this.visible) return
    if (this.phase === 'ready' && this.view === 'chat') this.input.focus()
    else (this.main.querySelector('button, h2, [tabindex]') as HTMLElement | null)?.focus()
  }

  render() {
    if (this.queued) return
    this.queued = true
    queueMicrotask(() => {
      this.queued = false
      this.draw()
    })
  }

  private offline(): boolean {
    const c = this.config
    return !!c && (!!c.quota_exceeded || !c.within_business_hours || !(c.agents_online || []).length)
  }

  private draw() {
    const t = this.t
    const c = this.config
    // Header.
    const agents = (c?.agents_online || []).slice(0, 3)
    const off = this.offline()
    const sub = !c ? '' : off ? t.away : agents.length ? t.online : ''
    const reply = c && !off ? (t as unknown as Record<string, string>)['reply' + (c.widget?.reply_time || 'minutes')] || t.replyminutes : ''
    // The menu only once the visitor has a conversation (its data).
    const menu = this.phase === 'ready' && this.convs.length > 0
    this.menuOpen &&= menu
    this.menuBtn.setAttribute('aria-label', t.menu)
    this.menuBtn.setAttribute('aria-expanded', String(this.menuOpen))
    this.menu.hidden = !this.menuOpen
    this.menuItem.textContent = t.yourData
    const logo = parleyUrl(this.o.base, c?.widget?.logo_url)
    const headFocus = document.activeElement instanceof HTMLElement && this.header.contains(document.activeElement) ? document.activeElement : null
    this.header.replaceChildren(
      ...([
      this.phase === 'ready' && this.view !== 'list' && (this.convs.length > 0 || (this.view === 'chat' && this.current && !isNew(this.current)))
        ? h('button', { type: 'button', class: 'icon back', 'aria-label': t.back, onclick: () => this.showList() }, '‹')
        : null,
      logo ? h('img', { class: 'logo', src: logo, alt: '' }) : null,
      agents.length && !off ? h('div', { class: 'av', 'aria-hidden': 'true' }, agents.map((a) => this.face(a))) : null,
      h(
        'div',
        { class: 'ti' },
        h('h1', null, c?.business_name || this.name),
        sub || reply ? h('p', null, agents.length && !off ? agents.map((a) => a.name).filter(Boolean).join(', ') + ' · ' : '', sub && !agents.length ? sub : '', agents.length && !off ? sub : '', reply ? (sub ? ' · ' : '') + reply : '') : null,
      ),
      menu ? this.menuBtn : null,
      this.o.embedded ? h('button', { type: 'button', class: 'icon', 'aria-label': t.close, onclick: () => this.o.host({ parley: 1, type: 'close' }) }, '×') : null,
      menu ? this.menu : null,
      ].filter(Boolean) as Node[]),
    )
    // Re-adding the menu's persistent buttons must not drop their focus.
    if (headFocus?.isConnected) headFocus.focus()
    this.banner.textContent = this.phase === 'ready' && this.wasUp && !this.socket.connected ? t.offline : ''
    this.banner.hidden = !this.banner.textContent
    this.drawQueue()

    // Main: keep focus and scroll across the rebuild.
    const active = document.activeElement
    const fid = active && this.main.contains(active) ? active.getAttribute('data-fid') : null
    const hadFocus = !!active && this.main.contains(active)
    let content: Node[]
    if (this.phase === 'loading' || this.phase === 'wait') content = [h('p', { class: 'note' }, t.loading)]
    else if (this.phase === 'error') content = [h('p', { class: 'note err', role: 'alert' }, this.error)]
    else if (this.view === 'list') content = this.drawList()
    else if (this.view === 'data') content = this.data.draw(t)
    else content = this.drawChat()
    this.inner.replaceChildren(...content)
    if (hadFocus && active instanceof HTMLElement && this.main.contains(active)) active.focus()
    else if (hadFocus && fid) (this.main.querySelector(`[data-fid="${CSS.escape(fid)}"]`) as HTMLElement | null)?.focus()
    if (this.pinned) this.toBottom()

    const tp = this.current && this.view === 'chat' ? this.typing.get(this.current) : undefined
    this.typingEl.textContent = tp && tp.until > Date.now() ? fill(t.typing, { n: tp.name }) : ''
    // Beyond the plan's monthly quota no new conversation starts: only the email form.
    this.form.hidden = !(this.phase === 'ready' && this.view === 'chat') || (!!c?.quota_exceeded && (!this.current || isNew(this.current)))
    if (this.phase === 'ready' && this.visible && !this.policy && !this.policyTried) void this.loadPolicy()
    this.clip.hidden = !this.policy?.enabled
    this.drawTray()
    this.sendUnread()
  }

  /** drawQueue shows (and announces, when it changes) the visitor's place in the queue for a person. */
  private drawQueue() {
    const q = this.phase === 'ready' && this.view === 'chat' ? queueText(this.conv(this.current), this.t, this.locale) : ''
    if (q !== this.queueEl.textContent) {
      this.queueEl.textContent = q
      if (q) this.live.textContent = q
    }
    this.queueEl.hidden = !q
  }

  private drawList(): Node[] {
    const t = this.t
    return [
      h('h2', { tabindex: -1 }, t.conversations),
      h('button', { type: 'button', class: 'primary', 'data-fid': 'new', onclick: () => this.newConversation() }, t.newConversation),
      h(
        'ul',
        { class: 'convs' },
        this.convs.map((c) => {
          const lm = c.last_message
          const unread = lm && lm.author.type !== 'visitor' && c.last_seq > c.visitor_read_seq
          const who = lm ? (lm.author.type === 'visitor' ? t.you : lm.author.name || (lm.author.type === 'bot' ? t.bot : t.agent)) : ''
          return h(
            'li',
            null,
            h(
              'button',
              { type: 'button', class: 'cv' + (unread ? ' un' : ''), 'data-fid': 'c-' + c.id, onclick: () => void this.openConversation(c.id) },
              h('span', { class: 'who' }, who || t.noMessages),
              lm ? h('time', { datetime: lm.created_at }, new Intl.DateTimeFormat(this.locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(lm.created_at))) : null,
              h('span', { class: 'pv' }, lm ? lm.body : ''),
            ),
          )
        }),
      ),
    ]
  }

  private drawChat(): Node[] {
    const t = this.t
    const c = this.config
    const out: Node[] = []
    const name = this.visitor?.verified ? this.visitor.name : this.identity?.name
    const greet = name ? (c?.widget?.greeting_identified ? c.widget.greeting_identified.split('{name}').join(name) : fill(t.hi, { n: name })) : c?.widget?.greeting_anonymous || ''
    if (greet) out.push(h('p', { class: 'intro' }, greet))
    if (this.offline()) out.push(this.drawOffline())
    const id = this.current
    const stored = id && !isNew(id) ? this.msgs.get(id) || [] : []
    const items = shown(stored, this.outbox.items, id || '')
    const conv = this.conv(id)
    if (id && this.failed.has(id)) out.push(h('p', { class: 'note err', role: 'alert' }, t.unavailable))
    if (items.length) {
      out.push(
        log(group(items), {
          t,
          locale: this.locale,
          now: new Date(),
          agentReadSeq: conv ? conv.agent_read_seq : 0,
          lastSeq: maxSeq(stored),
          choose: (v) => {
            this.sendText(v)
            this.input.focus()
          },
          retry: (cmid) => {
            this.outbox.retry(cmid)
            void this.flush()
          },
          discard: (cmid) => this.outbox.remove(cmid),
          files: this.fileView(id || ''),
          del: { asking: this.delAsking, failed: this.delFailed, ask: (mid) => this.askDelete(mid), confirm: (mid) => void this.deleteMessage(mid) },
        }),
      )
    }
    // Online but not answered yet: offer to carry the answer by email if the visitor leaves.
    const last = stored[stored.length - 1]
    if (!this.offline() && conv && conv.status !== 'resolved' && last?.author.type === 'visitor' && (this.emailDone || !this.visitor?.email)) {
      out.push(this.emailBox(h('section', { class: 'ask', 'aria-label': t.emailAsk }), t.emailAsk))
    }
    // By the composer, where the visitor will reply.
    if (conv && conv.status === 'resolved') out.push(h('p', { class: 'note' }, t.resolved))
    const card = conv && this.survey.draw(conv, t)
    if (card) out.push(card)
    if (conv) out.push(this.transcript.draw(conv.id, t))
    return out
  }

  /** face is an agent's photo in the header, or their initials. */
  private face(a: Author): HTMLElement {
    const src = parleyUrl(this.o.base, a.avatar_url)
    return src ? h('img', { src, alt: '' }) : h('span', null, initials(a.name))
  }

  private drawOffline(): Node {
    const t = this.t
    const c = this.config!
    const box = h('section', { class: 'off', 'aria-label': t.away }, h('strong', null, t.away), c.quota_exceeded ? null : h('p', null, backAt(c.next_open_at, new Date(), this.locale, t)), c.offline_message ? h('p', null, c.offline_message) : null)
    return this.emailBox(box, t.emailLabel)
  }

  /** emailBox adds to box the address the visitor gave, or the form that asks for it. */
  private emailBox(box: HTMLElement, label: string): HTMLElement {
    const t = this.t
    const email = this.emailDone || this.visitor?.email
    if (email) {
      add(box, [h('p', { role: 'status', tabindex: -1 }, fill(t.emailDone, { e: email }))])
      return box
    }
    // The form is kept across renders so what the visitor types stays.
    this.emailForm ||= emailForm('em', 'emn', 'em', (email) => void this.saveEmail(email))
    paintEmailForm(this.emailForm, label, t.emailSave, this.emailNote)
    add(box, [this.emailForm])
    return box
  }
}
