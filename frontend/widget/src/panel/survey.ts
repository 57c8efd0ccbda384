// "How did we do?" (issue 12): at the end of a resolved conversation whose
// `survey` asks for it, a card with the tenant's scale (five faces, or thumbs
// down / up), then an optional comment and Send. The visitor's answer comes
// back as the conversation with `rating` and without `survey`, so the card
// turns into "Thanks for your feedback!" with the rating given. A resolved
// conversation that has a rating already shows it; a reopened and
// re-resolved one gets a new `survey`, so a new card.
// A 409 means this resolution was rated already (another tab): the panel
// reloads the conversation and shows what it holds. Other failures are said
// in the card, and the choice and the comment stay.
import { h } from './dom'
import { fill, type Strings } from './i18n'
import type { ApiError } from './api'
import type { Conversation, Rating } from './types'

export interface RatingBody {
  resolution: number
  score: number
  comment?: string
}

export interface SurveyDeps {
  rate: (conv: string, body: RatingBody) => Promise<Conversation>
  rated: (c: Conversation) => void // the panel keeps the answer (and redraws)
  reload: () => Promise<void> // the panel fetches the conversations again
  render: () => void
  root: HTMLElement // where the card is drawn (for focus)
}

/** Choice is one button of a scale. */
export interface Choice {
  score: number
  label: string
}

/** choices are the buttons of a scale: five faces, or thumbs down (1) and up (5). */
export function choices(scale: string, t: Strings): Choice[] {
  if (scale === 'thumbs')
    return [
      { score: 1, label: t.rateDown },
      { score: 5, label: t.rateUp },
    ]
  return [t.rate1, t.rate2, t.rate3, t.rate4, t.rate5].map((label, i) => ({ score: i + 1, label }))
}

const thumb = 'M3 10h3v10H3zm5 10h8.6a2 2 0 0 0 2-1.6l1.3-6.2A1.9 1.9 0 0 0 18 10h-4.2l.7-3.6A1.9 1.9 0 0 0 11 5L8 10z'

/**
 * mark draws a choice: a face whose mouth goes from a frown (1) to a smile
 * (5), or a thumb. Drawn, not emoji, so that every system shows the same
 * thing in the text colour.
 */
export function mark(scale: string, score: number): SVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(ns, 'path')
  if (scale === 'thumbs') {
    path.setAttribute('d', thumb)
    path.setAttribute('fill', 'currentColor')
    if (score < 3) path.setAttribute('transform', 'rotate(180 12 12)')
  } else {
    // The mouth: its ends rise a little and its middle drops as the score grows.
    const y = (15.5 - (score - 3) * 0.4).toFixed(1)
    const mid = (15.5 + (score - 3) * 2).toFixed(1)
    path.setAttribute('d', `M12 2.5a9.5 9.5 0 1 0 0 19a9.5 9.5 0 1 0 0-19M8.5 9.5v1.5M15.5 9.5v1.5M7.5 ${y}Q12 ${mid} 16.5 ${y}`)
    path.setAttribute('fill', 'none')
    path.setAttribute('stroke', 'currentColor')
    path.setAttribute('stroke-width', '1.6')
    path.setAttribute('stroke-linecap', 'round')
  }
  svg.appendChild(path)
  return svg
}

/** ratingChoice is the button a rating was given with. */
export function ratingChoice(r: Rating, t: Strings): Choice {
  const all = choices(r.scale, t)
  return all.find((c) => c.score === r.score) || all[r.score >= 3 ? all.length - 1 : 0]
}

export class Survey {
  private key = '' // conversation and resolution the state below is for
  private score = 0
  private busy = false
  private note = ''
  private focusThanks = false
  private form: HTMLFormElement | null = null
  private t: Strings | null = null

  constructor(private d: SurveyDeps) {}

  /** draw is the card for c, or null when c neither asks for a rating nor has one to show. */
  draw(c: Conversation, t: Strings): Node | null {
    this.t = t
    const s = c.survey
    if (c.status !== 'resolved' || (!s && !c.rating)) return null
    if (!s) return this.thanks(c.rating!, t)
    const key = c.id + '#' + s.resolution
    if (key !== this.key) Object.assign(this, { key, score: 0, busy: false, note: '', form: null })
    const card = h(
      'section',
      { class: 'sv', 'aria-labelledby': 'svh' },
      h('h2', { id: 'svh' }, t.rateAsk),
      h(
        'div',
        { class: 'sc', role: 'group', 'aria-labelledby': 'svh' },
        choices(s.scale, t).map((ch) =>
          h('button', { type: 'button', 'aria-label': ch.label, title: ch.label, 'aria-pressed': String(this.score === ch.score), 'data-fid': 'sv' + ch.score, 'aria-disabled': this.busy ? 'true' : null, onclick: () => this.pick(ch.score) }, mark(s.scale, ch.score)),
        ),
      ),
    )
    if (this.score) card.appendChild(this.paintForm(c, s.resolution, t))
    else if (this.note) card.appendChild(h('p', { class: 'err', role: 'alert' }, this.note))
    return card
  }

  private thanks(r: Rating, t: Strings): Node {
    const ch = ratingChoice(r, t)
    const status = h('p', { role: 'status', tabindex: -1 }, h('strong', null, t.rateThanks))
    const card = h('section', { class: 'sv done', 'aria-label': t.rateAsk }, status, h('p', { class: 'gv' }, mark(r.scale, r.score), fill(t.rateGiven, { r: ch.label })))
    if (this.focusThanks) {
      this.focusThanks = false
      queueMicrotask(() => status.isConnected && status.focus())
    }
    return card
  }

  /** paintForm is the comment and Send, kept across renders so what is typed stays. */
  private paintForm(c: Conversation, resolution: number, t: Strings): HTMLFormElement {
    if (!this.form) {
      const text = h('textarea', { id: 'svc', rows: 3, maxlength: 2000 })
      this.form = h('form', { class: 'svf', novalidate: true }, h('label', { for: 'svc' }), text, h('p', { id: 'svn', class: 'err', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }))
      this.form.addEventListener('submit', (e) => {
        e.preventDefault()
        void this.submit(c.id, resolution, text.value.trim())
      })
    }
    const f = this.form
    f.querySelector('label')!.textContent = t.rateComment
    f.querySelector('.err')!.textContent = this.note
    const b = f.querySelector('button')!
    b.textContent = this.busy ? t.sending : t.rateSend
    // aria-disabled, not disabled: the button keeps its focus while it sends.
    if (this.busy) b.setAttribute('aria-disabled', 'true')
    else b.removeAttribute('aria-disabled')
    b.setAttribute('aria-busy', String(this.busy))
    return f
  }

  private pick(score: number) {
    if (this.busy) return
    this.score = score
    this.note = ''
    this.d.render()
  }

  private async submit(conv: string, resolution: number, comment: string) {
    const t = this.t!
    if (this.busy || !this.score) return
    const key = this.key
    this.busy = true
    this.note = ''
    this.d.render()
    try {
      const c = await this.d.rate(conv, comment ? { resolution, score: this.score, comment } : { resolution, score: this.score })
      if (key !== this.key) return
      this.busy = false
      this.focusThanks = true
      this.d.rated(c)
      return
    } catch (e) {
      const err = e as ApiError
      this.busy = false
      if (err.status === 409) {
        // Rated already (another tab or device): show what the server holds.
        this.focusThanks = true
        this.note = t.rateAlready
        await this.d.reload()
        return this.d.render()
      }
      this.note = err.status === 400 || err.status === 429 ? err.message : t.rateFailed
    }
    this.d.render()
  }
}
