// Pure message logic: merging pages and live frames without duplicates,
// finding where to resume after a reconnect, and grouping for display.
import type { Attachment, Author, Message } from './types'

/**
 * merge adds incoming messages to a conversation's list: one copy per id
 * (a later copy wins), in seq order. Neither input is modified.
 */
export function merge(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  const byId = new Map<string, Message>()
  for (const m of existing) byId.set(m.id, m)
  let changed = false
  for (const m of incoming) {
    if (!m || typeof m.id !== 'string' || typeof m.seq !== 'number') continue
    byId.set(m.id, m)
    changed = true
  }
  if (!changed) return existing as Message[]
  return [...byId.values()].sort((a, b) => a.seq - b.seq)
}

/**
 * contiguousSeq is the highest seq n such that every message 1..n is
 * present: after a reconnect or a gap, ask for after_seq = n.
 */
export function contiguousSeq(msgs: readonly Message[]): number {
  let n = 0
  for (const m of msgs) {
    if (m.seq === n + 1) n = m.seq
    else if (m.seq > n + 1) break
  }
  return n
}

/** maxSeq is the highest seq seen (0 for none). */
export function maxSeq(msgs: readonly Message[]): number {
  return msgs.length ? msgs[msgs.length - 1].seq : 0
}

/** A message as shown: a stored one or an outbox item not yet stored. */
export interface Shown extends Message {
  pending?: 'queued' | 'sending' | 'failed'
  error?: string
}

export interface OutboxView {
  cmid: string
  conv: string
  body: string
  at: string
  state: 'queued' | 'sending' | 'failed'
  error?: string
  files?: Attachment[] // uploaded, sent with the message
}

/**
 * shown lists a conversation's stored messages followed by its outbox items
 * whose client_msg_id is not stored yet, so a message is never shown twice.
 */
export function shown(stored: readonly Message[], outbox: readonly OutboxView[], conv: string): Shown[] {
  const ids = new Set<string>()
  for (const m of stored) if (m.client_msg_id) ids.add(m.client_msg_id)
  const out: Shown[] = stored.slice()
  for (const o of outbox) {
    if (o.conv !== conv || ids.has(o.cmid)) continue
    out.push({
      id: 'local:' + o.cmid,
      conversation_id: conv,
      seq: Number.MAX_SAFE_INTEGER,
      author: { type: 'visitor' },
      body: o.body,
      kind: 'text',
      client_msg_id: o.cmid,
      created_at: o.at,
      pending: o.state,
      error: o.error,
      attachments: o.files,
    })
  }
  return out
}

export interface Group {
  author: Author
  mine: boolean // written by the visitor
  system: boolean // system or event messages, shown centred
  day: string // local YYYY-MM-DD of the first message
  items: Shown[]
}

const dayOf = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`

/**
 * group puts consecutive messages of the same author, on the same local
 * day and at most gapMs apart, in one group. System and event messages are
 * each their own group.
 */
export function group(msgs: readonly Shown[], gapMs = 5 * 60 * 1000): Group[] {
  const out: Group[] = []
  let prev: Shown | null = null
  for (const m of msgs) {
    const at = new Date(m.created_at)
    const system = m.author.type === 'system' || m.kind === 'event'
    const day = dayOf(at)
    const last = out[out.length - 1]
    const same =
      last &&
      prev &&
      !system &&
      !last.system &&
      last.author.type === m.author.type &&
      (last.author.id || '') === (m.author.id || '') &&
      last.day === day &&
      at.getTime() - new Date(prev.created_at).getTime() <= gapMs
    if (same) last.items.push(m)
    else out.push({ author: m.author, mine: m.author.type === 'visitor', system, day, items: [m] })
    prev = m
  }
  return out
}

/** unreadCount counts messages not written by the visitor after readSeq. */
export function unreadCount(msgs: readonly Message[], readSeq: number): number {
  let n = 0
  for (const m of msgs) if (m.seq > readSeq && m.author.type !== 'visitor') n++
  return n
}

/** dayLabel names a local day: today, yesterday or a date. */
export function dayLabel(day: string, now: Date, locale: string, today: string, yesterday: string): string {
  if (day === dayOf(now)) return today
  const y = new Date(now)
  y.setDate(y.getDate() - 1)
  if (day === dayOf(y)) return yesterday
  const [yy, mm, dd] = day.split('-').map(Number)
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: yy === now.getFullYear() ? undefined : 'numeric' }).format(new Date(yy, mm - 1, dd))
}

/** timeLabel is a message time like 14:05 or 2:05 PM. */
export function timeLabel(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso))
}
