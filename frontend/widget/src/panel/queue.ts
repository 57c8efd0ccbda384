// While a conversation waits for a person (hand-off "queued"), the visitor
// sees their place in the queue and the expected wait, in their language.
import { fill, type Strings } from './i18n'
import type { Conversation } from './types'

/** waitWords is an expected wait of a minute or more in words: "3 minutes", "2 hours"; "" otherwise. */
export function waitWords(seconds: number | undefined, locale: string): string {
  if (!seconds || !(seconds >= 60)) return ''
  const m = Math.round(seconds / 60)
  const n = m < 90 ? m : Math.round(m / 60)
  const unit = m < 90 ? 'minute' : 'hour'
  try {
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n)
  } catch {
    return n + ' ' + unit + (n === 1 ? '' : 's')
  }
}

/** queueText is what the panel says about a queued conversation; "" for any other state. */
export function queueText(c: Conversation | undefined, t: Strings, locale: string): string {
  if (!c || c.handoff !== 'queued') return ''
  const q = c.queue
  const pos = q && q.position > 0 ? q.position : 0
  const place = !pos ? t.queueWaiting : pos === 1 ? t.queueNext : fill(t.queuePos, { p: new Intl.NumberFormat(locale).format(pos) })
  const s = q ? q.wait_seconds : 0
  const w = waitWords(s, locale)
  return w ? place + ' ' + fill(t.queueWait, { w }) : s > 0 ? place + ' ' + t.queueSoon : place
}
