// "Email me this conversation": a link under the conversation, then a small
// form (the email prefilled when known) kept across renders, then "Sent to …".
// 503 says email is not set up on this Parley; 400 and 429 say what the
// server said; nothing is left half-done.
import { h, isEmail, emailForm, paintEmailForm } from './dom'
import { fill, type Strings } from './i18n'
import type { ApiError } from './api'

export interface TranscriptDeps {
  send: (conv: string, email: string) => Promise<void>
  email: () => string // the visitor's email, when known
  render: () => void
  root: HTMLElement // where the form is drawn (for focus)
}

export class Transcript {
  private conv = ''
  private open = false
  private note = ''
  private done = ''
  private busy = false
  private form: HTMLFormElement | null = null
  private t: Strings | null = null

  constructor(private d: TranscriptDeps) {}

  draw(conv: string, t: Strings): Node {
    this.t = t
    if (this.conv !== conv) Object.assign(this, { conv, open: false, note: '', done: '', busy: false })
    if (!this.open)
      return h('p', { class: 'tx' }, this.done ? h('span', { role: 'status', tabindex: -1 }, fill(t.txDone, { e: this.done })) : h('button', { type: 'button', class: 'link', 'data-fid': 'tx', onclick: () => this.show() }, t.txLink))
    if (!this.form) {
      this.form = emailForm('txe', 'txn', 'em tx', (email) => void this.submit(email))
      this.form.querySelector('input')!.value = this.d.email()
    }
    paintEmailForm(this.form, t.txLabel, t.txSend, this.note, this.busy)
    return this.form
  }

  private show() {
    this.open = true
    this.form = null
    this.d.render()
    queueMicrotask(() => (this.d.root.querySelector('#txe') as HTMLInputElement | null)?.focus())
  }

  private async submit(email: string) {
    const t = this.t!
    const conv = this.conv
    if (!isEmail(email)) {
      this.note = t.emailBad
      return this.d.render()
    }
    this.busy = true
    this.note = ''
    this.d.render()
    try {
      await this.d.send(conv, email)
      if (this.conv !== conv) return
      Object.assign(this, { open: false, done: email })
    } catch (e) {
      const err = e as ApiError
      this.note = err.status === 503 ? t.txOff : err.status === 400 || err.status === 429 ? err.message : t.unavailable
    }
    this.busy = false
    this.d.render()
    if (!this.open) queueMicrotask(() => (this.d.root.querySelector('.tx [role=status]') as HTMLElement | null)?.focus())
  }
}
