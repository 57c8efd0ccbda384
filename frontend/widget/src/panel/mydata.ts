// "Your data" (issue 11), opened from the panel's menu once the visitor has a
// conversation. "Download my data" saves what Parley holds about the visitor
// (GET /api/v1/widget/visitor/export) as parley-my-data.json. "Delete my
// conversations" asks once, saying it cannot be undone, then DELETE
// /api/v1/widget/visitor erases the visitor and revokes their tokens; the
// panel then forgets the visitor (`erased`) and this screen says so, with
// "Start a new conversation". A 404 to the delete means nothing is left to
// delete (erased meanwhile by the team): the same end for the visitor.
// A failure is said under the button that failed; nothing else changes.
import { h } from './dom'
import { fill, type Strings } from './i18n'
import type { ApiError } from './api'

export const DATA_FILE = 'parley-my-data.json'

export interface MyDataDeps {
  load: () => Promise<unknown> // the visitor's export
  erase: () => Promise<unknown>
  save: (name: string, text: string) => void // hands a file to the browser
  erased: () => void // the panel forgets the visitor
  restart: () => void // "Start a new conversation"
  render: () => void
  root: HTMLElement // where this screen is drawn (for focus)
}

type Busy = '' | 'load' | 'erase'

export class MyData {
  private busy: Busy = ''
  private asking = false // the confirm step of the delete
  private failed: Busy = '' // what failed last
  private saved = false
  private done = false // the conversations were deleted

  constructor(private d: MyDataDeps) {}

  /** erasing says a delete is on its way (the panel must not start a new session meanwhile). */
  get erasing() {
    return this.busy === 'erase'
  }

  /** open shows the screen afresh (from the menu). */
  open() {
    Object.assign(this, { asking: false, failed: '', saved: false, done: false })
    this.focus('h2')
  }

  draw(t: Strings): Node[] {
    if (this.done) return [h('h2', { tabindex: -1 }, t.erased), h('button', { type: 'button', class: 'primary', 'data-fid': 'sn', onclick: () => this.d.restart() }, t.startNew)]
    // Buttons stay focusable while a request runs (a disabled one would drop the focus).
    const busy = (what?: Busy) => ({ 'aria-disabled': this.busy ? 'true' : null, 'aria-busy': what && this.busy === what ? 'true' : null })
    const out = [
      h('h2', { tabindex: -1 }, t.yourData),
      h('p', null, t.dataIntro),
      h('button', { type: 'button', class: 'primary', 'data-fid': 'dl', ...busy('load'), onclick: () => void this.download() }, this.busy === 'load' ? t.dataGetting : t.dataGet),
      this.saved ? h('p', { class: 'dn', role: 'status' }, fill(t.dataSaved, { f: DATA_FILE })) : null,
      this.failed === 'load' ? h('p', { class: 'dn err', role: 'alert' }, t.dataGetFailed) : null,
      this.asking
        ? h(
            'section',
            { class: 'cf', role: 'group', 'aria-labelledby': 'cfq' },
            h('p', { id: 'cfq', tabindex: -1 }, t.eraseAsk),
            h(
              'div',
              null,
              h('button', { type: 'button', class: 'danger', 'data-fid': 'ey', ...busy('erase'), onclick: () => void this.erase() }, this.busy === 'erase' ? t.erasing : t.eraseYes),
              h('button', { type: 'button', class: 'ghost', 'data-fid': 'en', ...busy(), onclick: () => this.ask(false) }, t.eraseNo),
            ),
            this.failed === 'erase' ? h('p', { class: 'dn err', role: 'alert' }, t.eraseFailed) : null,
          )
        : h('button', { type: 'button', class: 'danger', 'data-fid': 'de', ...busy(), onclick: () => this.ask(true) }, t.erase),
    ]
    return out.filter((n): n is HTMLElement => n !== null)
  }

  private ask(yes: boolean) {
    if (this.busy) return
    this.asking = yes
    this.failed = ''
    this.focus(yes ? '#cfq' : '[data-fid=de]')
  }

  private async download() {
    if (this.busy) return
    this.busy = 'load'
    this.failed = ''
    this.saved = false
    this.d.render()
    try {
      const data = await this.d.load()
      this.d.save(DATA_FILE, JSON.stringify(data, null, 2))
      this.saved = true
    } catch {
      this.failed = 'load'
    }
    this.busy = ''
    this.d.render()
  }

  private async erase() {
    if (this.busy) return
    this.busy = 'erase'
    this.failed = ''
    this.d.render()
    try {
      await this.d.erase()
      this.done = true
    } catch (e) {
      if ((e as ApiError).status === 404) this.done = true
      else this.failed = 'erase'
    }
    this.busy = ''
    if (this.done) {
      this.asking = false
      this.d.erased()
      this.focus('h2')
    } else this.d.render()
  }

  /** focus moves focus into this screen once it is drawn. */
  private focus(sel: string) {
    this.d.render()
    setTimeout(() => (this.d.root.querySelector(sel) as HTMLElement | null)?.focus())
  }
}

/** saveFile hands text to the browser as a downloaded file (the frame's sandbox allows downloads). */
export function saveFile(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const a = h('a', { href: url, download: name, hidden: true })
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60000)
}
