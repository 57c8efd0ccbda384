// The outbox keeps messages the visitor typed until the server has stored
// them. Each item has a client_msg_id chosen once, when it is typed; the
// server stores (sender, client_msg_id) once, so a retry after a lost answer
// or a reload returns the first copy instead of a second message. The
// outbox never sends one item twice at the same time, sends items in the
// order they were typed, and forgets an item as soon as it is acknowledged.
// Items survive a reload (localStorage), so text typed offline is sent when
// the connection returns.
import type { OutboxView } from './messages'

export interface KV {
  get(k: string): string | null
  set(k: string, v: string): void
  del(k: string): void
}

/** A queued message; conv is a conversation id or "new:<id>" for one not started yet. */
export type OutItem = OutboxView

/** What a sender reports: the conversation the message is in. */
export interface Sent {
  conversationId: string
}

/** SendError says whether sending may be tried again later. */
export class SendError extends Error {
  constructor(
    message: string,
    public retry: boolean,
  ) {
    super(message)
  }
}

export function newId(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  c.getRandomValues(b)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export const isNew = (conv: string) => conv.startsWith('new:')

export class Outbox {
  items: OutItem[] = []
  private running: Promise<void> | null = null
  private again = false

  constructor(
    private kv: KV,
    private key: string,
    private onChange: () => void = () => {},
  ) {
    try {
      const raw = kv.get(key)
      const list = raw ? (JSON.parse(raw) as OutItem[]) : []
      // An item that was being sent when the page went away is sent again
      // with the same client_msg_id; the server answers with the first copy.
      this.items = Array.isArray(list) ? list.filter((i) => i && i.cmid && i.conv).map((i) => ({ ...i, state: i.state === 'failed' ? 'failed' : 'queued' })) : []
    } catch {
      this.items = []
    }
  }

  private save() {
    if (this.items.length) this.kv.set(this.key, JSON.stringify(this.items))
    else this.kv.del(this.key)
    this.onChange()
  }

  /** add queues a message for conv and returns it. */
  add(conv: string, body: string, cmid = newId(), at = new Date().toISOString(), files: OutItem['files'] = []): OutItem {
    const item: OutItem = { cmid, conv, body, at, state: 'queued' }
    if (files.length) item.files = files
    this.items.push(item)
    this.save()
    return item
  }

  /** retry puts a failed item back in the queue. */
  retry(cmid: string) {
    const i = this.items.find((x) => x.cmid === cmid)
    if (i && i.state === 'failed') {
      i.state = 'queued'
      i.error = undefined
      this.save()
    }
  }

  remove(cmid: string) {
    this.items = this.items.filter((x) => x.cmid !== cmid)
    this.save()
  }

  /** ack forgets an item the server has stored (seen on a live frame, say). */
  ack(cmid: string) {
    const i = this.items.find((x) => x.cmid === cmid)
    if (i && i.state !== 'sending') this.remove(cmid)
  }

  clear() {
    this.items = []
    this.save()
  }

  /**
   * flush sends queued items in order with send. A call while a flush runs
   * does not start a second one; it makes the running one look again when
   * it is done. A retryable failure stops the flush, keeping the order.
   */
  flush(send: (item: OutItem) => Promise<Sent>): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.pass(send)
        } while (this.again)
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  private async pass(send: (item: OutItem) => Promise<Sent>) {
    for (;;) {
      const item = this.items.find((i) => i.state === 'queued')
      if (!item) return
      item.state = 'sending'
      this.save()
      try {
        const sent = await send(item)
        this.items = this.items.filter((x) => x.cmid !== item.cmid)
        if (isNew(item.conv)) for (const x of this.items) if (x.conv === item.conv) x.conv = sent.conversationId
        this.save()
      } catch (e) {
        const retry = !(e instanceof SendError) || e.retry
        if (!this.items.includes(item)) continue
        item.state = retry ? 'queued' : 'failed'
        if (!retry) item.error = (e as Error).message
        this.save()
        if (retry) return
      }
    }
  }
}
