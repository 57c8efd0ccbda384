// When the team is back, in the visitor's words and time zone.
import { fill, type Strings } from './i18n'

export function backAt(nextOpen: string | null | undefined, now: Date, locale: string, t: Strings, timeZone?: string): string {
  if (!nextOpen) return t.backSoon
  const at = new Date(nextOpen)
  if (isNaN(at.getTime())) return t.backSoon
  const opts = timeZone ? { timeZone } : {}
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { ...opts, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
  const time = new Intl.DateTimeFormat(locale, { ...opts, hour: 'numeric', minute: '2-digit' }).format(at)
  if (day(at) === day(now)) return fill(t.backToday, { t: time })
  if (day(at) === day(new Date(now.getTime() + 86400000))) return fill(t.backTomorrow, { t: time })
  const far = at.getTime() - now.getTime() > 6 * 86400000
  const d = new Intl.DateTimeFormat(locale, { ...opts, weekday: 'long', ...(far ? { day: 'numeric', month: 'long' } : {}) }).format(at)
  return fill(t.backOn, { d, t: time })
}
