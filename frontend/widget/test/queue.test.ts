// Issue 6 in the widget: the place in the hand-off queue (live from
// conversation.updated frames), system lines, the bot's name, and a clicked
// option shown by its label.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { kvTokens, memory } from '../src/panel/storage'
import { queueText, waitWords } from '../src/panel/queue'
import { strings } from '../src/panel/i18n'
import { log } from '../src/panel/view'
import { group, shown } from '../src/panel/messages'
import type { Conversation, Message } from '../src/panel/types'
import { FakeWS, bot, logFiles, msg, until, visitor } from './helpers'

const conv = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1',
  status: 'open',
  last_seq: 2,
  agent_read_seq: 0,
  visitor_read_seq: 0,
  created_at: '2026-03-02T10:00:00Z',
  last_activity_at: '2026-03-02T10:00:00Z',
  ...over,
})

describe('queue display', () => {
  it('formats the expected wait in the visitor’s language', () => {
    expect(waitWords(0, 'en')).toBe('')
    expect(waitWords(undefined, 'en')).toBe('')
    expect(waitWords(30, 'en')).toBe('')
    expect(waitWords(60, 'en')).toBe('1 minute')
    expect(waitWords(150, 'en')).toBe('3 minutes')
    expect(waitWords(3 * 3600, 'en')).toBe('3 hours')
    expect(waitWords(240, 'de')).toBe('4 Minuten')
    expect(waitWords(240, 'fr')).toBe('4 minutes')
    expect(waitWords(240, 'es')).toBe('4 minutos')
    expect(queueText(conv({ handoff: 'queued', queue: { position: 2, wait_seconds: 20 } }), strings.fr, 'fr')).toBe('Vous êtes en position 2 dans la file d’attente. Attente estimée : moins d’une minute.')
  })

  it('says the place and the wait, only while queued', () => {
    const q = (position: number, wait_seconds: number) => conv({ handoff: 'queued', queue: { position, wait_seconds } })
    expect(queueText(q(3, 240), strings.en, 'en')).toBe('You’re number 3 in line for a person. Expected wait: about 4 minutes.')
    expect(queueText(q(1, 0), strings.en, 'en')).toBe('You’re next in line for a person.')
    expect(queueText(conv({ handoff: 'queued' }), strings.en, 'en')).toBe('Waiting for a person to join…')
    expect(queueText(q(2, 90), strings.fr, 'fr')).toBe('Vous êtes en position 2 dans la file d’attente. Attente estimée : environ 2 minutes.')
    expect(queueText(q(2, 90), strings.de, 'de')).toBe('Sie sind auf Platz 2 der Warteschlange. Voraussichtliche Wartezeit: etwa 2 Minuten.')
    expect(queueText(q(2, 90), strings.es, 'es')).toBe('Estás en el puesto 2 de la cola. Espera estimada: aproximadamente 2 minutos.')
    expect(queueText(conv({ handoff: 'bot' }), strings.en, 'en')).toBe('')
    expect(queueText(conv({ handoff: 'agent', queue: { position: 1, wait_seconds: 5 } }), strings.en, 'en')).toBe('')
    expect(queueText(undefined, strings.en, 'en')).toBe('')
  })
})

describe('bot and system messages', () => {
  const opts = { t: strings.en, locale: 'en', now: new Date('2026-03-02T12:00:00Z'), agentReadSeq: 0, lastSeq: 4, choose: vi.fn(), retry: vi.fn(), discard: vi.fn(), ...logFiles() }
  it('shows the bot’s name, centred system lines, and a clicked option by its label', () => {
    const qr = msg(1, bot, { kind: 'quick_replies', body: 'Anything else?', payload: { text: 'Anything else?', options: [{ label: 'Talk to a person', value: 'handoff' }] } })
    const root = log(
      group(
        shown(
          [qr, msg(2, visitor, { body: 'handoff' }), msg(3, { type: 'system' }, { body: 'Ann joined the conversation' }), msg(4, visitor, { body: 'handoff' })],
          [],
          'c1',
        ),
      ),
      opts,
    )
    const who = root.querySelector('.g.them.bot .who')!
    expect(who.querySelector('.n')!.textContent).toBe('Helper')
    expect(who.querySelector('.bt')!.textContent).toBe('Bot')
    const mine = [...root.querySelectorAll('.g.me .b')].map((b) => b.textContent)
    // The click right after the offer shows its label; a later typed "handoff" is shown as typed.
    expect(mine).toEqual(['Talk to a person', 'handoff'])
    const sys = root.querySelector('.g.sys')!
    expect(sys.textContent).toBe('Ann joined the conversation')
    expect(sys.querySelector('.who')).toBeNull()
  })
})


describe('the panel while queued', () => {
  let root: HTMLElement
  let panel: Panel | null = null
  const stored: Message[] = [msg(1, visitor, { body: 'How long does shipping take?' }), msg(2, bot, { body: '3 days.' })]
  // What the server says now (lists after a reconnect agree with the frames).
  let lists = 0
  let now = conv({ handoff: 'bot' })
  const push = (ws: FakeWS, c: Conversation) => {
    now = c
    ws.frame({ type: 'conversation.updated', conversation: c })
  }
  beforeEach(() => {
    FakeWS.all = []
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        const u = new URL(url)
        if (u.pathname.endsWith('/session'))
          return json(200, {
            visitor_token: 'tok',
            visitor: { id: 'v1', verified: false },
            config: { business_name: 'Acme', widget: { locale: 'en', theme: 'light', color: '#2563eb' }, offline_message: '', agents_online: [{ type: 'agent', id: 'a1', name: 'Ann' }], within_business_hours: true },
          })
        if (u.pathname === '/api/v1/widget/conversations' && init.method === 'GET') {
          lists++
          return json(200, { conversations: [now] })
        }
        if (u.pathname.endsWith('/messages')) return json(200, { messages: stored.filter((m) => m.seq > Number(u.searchParams.get('after_seq'))), has_more: false })
        return new Response(null, { status: 204 })
      }),
    )
    vi.stubGlobal('WebSocket', FakeWS)
    root = document.createElement('div')
    document.body.replaceChildren(root)
  })
  afterEach(() => {
    panel?.destroy()
    vi.unstubAllGlobals()
  })

  it('shows the place in the queue, follows conversation.updated frames, and announces who joined', async () => {
    panel = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens: kvTokens(memory(), 'v'), host: () => {}, embedded: true, root })
    panel.init(null, {}, false, '', true, false)
    const qu = () => root.querySelector('.qu') as HTMLElement
    await until(() => root.querySelectorAll('.log .b').length === 2, 'the history')
    expect(qu().hidden).toBe(true)
    const ws = FakeWS.all[0]
    ws.frame({ type: 'hello', role: 'visitor' })
    // The resume after hello lists the conversations again: let it land first.
    await until(() => lists === 2, 'the resume')
    await new Promise((r) => setTimeout(r, 20))

    // The visitor asks for a person; the bot's answer comes with the hand-off,
    // announced by a conversation.updated frame as the server does.
    const asked = msg(3, visitor, { body: 'handoff' })
    const answer = msg(4, bot, { body: 'I’m connecting you with a person.' })
    stored.push(asked, answer)
    ws.frame({ type: 'message.created', message: asked })
    ws.frame({ type: 'message.created', message: answer })
    push(ws, conv({ handoff: 'queued', last_seq: 4, queue: { position: 3, wait_seconds: 240 } }))
    await until(() => qu().textContent === 'You’re number 3 in line for a person. Expected wait: about 4 minutes.', 'the queue place')
    expect(qu().hidden).toBe(false)
    const live = () => root.querySelector('[aria-live]')!.textContent
    expect(live()).toContain('number 3')
    push(ws, conv({ handoff: 'queued', queue: { position: 1, wait_seconds: 30 } }))
    await until(() => qu().textContent === 'You’re next in line for a person. Expected wait: less than a minute.', 'the new place')

    // An agent takes over: the queue line goes, a system line says who joined.
    const joined = msg(5, { type: 'system' }, { body: 'Ann joined the conversation', kind: 'event' })
    ws.frame({ type: 'message.created', message: joined })
    stored.push(joined)
    push(ws, conv({ handoff: 'agent', last_seq: 5, assignee: { type: 'agent', id: 'a1', name: 'Ann' } }))
    await until(() => qu().hidden === true, 'the queue line to go')
    await until(() => root.querySelector('.g.sys') !== null, 'the system line')
    expect(root.querySelector('.g.sys')!.textContent).toBe('Ann joined the conversation')
    expect(live()).toBe('Ann joined the conversation')
  })
})
