import { strings } from '../src/panel/i18n'
import type { Attachment, Author, Message } from '../src/panel/types'

export const agent: Author = { type: 'agent', id: 'a1', name: 'Alice' }
export const visitor: Author = { type: 'visitor', id: 'v1' }
export const bot: Author = { type: 'bot', id: 'b1', name: 'Helper' }

export function msg(seq: number, author: Author = agent, over: Partial<Message> = {}): Message {
  return {
    id: 'm' + seq,
    conversation_id: 'c1',
    seq,
    author,
    body: 'message ' + seq,
    kind: 'text',
    private: false,
    created_at: new Date(Date.UTC(2026, 2, 2, 10, seq)).toISOString(),
    ...over,
  }
}

/** FakeWS stands in for the browser's WebSocket: it records what the panel sends and lets a test push frames. */
export class FakeWS {
  static all: FakeWS[] = []
  sent: unknown[] = []
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor(public url: string) {
    FakeWS.all.push(this)
  }
  send(s: string) {
    this.sent.push(JSON.parse(s))
  }
  close() {
    this.onclose?.()
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) })
  }
}

/** until polls cond until it holds (never a fixed sleep). */
export async function until(cond: () => boolean, what: string, timeout = 5000) {
  const end = Date.now() + timeout
  while (Date.now() < end) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error('timed out waiting for ' + what)
}

/** logFiles are LogOptions' file and delete parts for tests that do not look at them. */
export const logFiles = (base = 'https://chat.example') => ({
  files: { base, t: strings.en, locale: 'en', fresh: (a: Attachment) => a, renew: async () => null },
  del: { asking: '', failed: '', ask: () => {}, confirm: () => {} },
})
