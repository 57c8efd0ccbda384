// Online but not answered yet, the panel offers to carry the answer by email
// if the visitor leaves (the notify service emails unread answers to visitors
// who gave an address); once the address is known, it only says where.
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { hostTokens, memory } from '../src/panel/storage'
import type { Message } from '../src/panel/types'
import { FakeWS, msg, until, visitor } from './helpers'

const config = {
  business_name: 'Acme',
  widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: '', greeting_identified: '', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
  offline_message: '',
  agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
  within_business_hours: true,
}
const conv = { id: 'c1', status: 'open', last_seq: 1, agent_read_seq: 0, visitor_read_seq: 0, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:00:00Z' }

let root: HTMLElement
let panel: Panel | undefined
const patches: unknown[] = []

function serve(history: Message[]) {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const p = new URL(url).pathname
      if (p.endsWith('/session')) return json(200, { visitor_token: 't', visitor: { id: 'v1', verified: false }, config })
      if (p === '/api/v1/widget/conversations') return json(200, { conversations: [conv] })
      if (p === '/api/v1/widget/conversations/c1/messages') return json(200, { messages: history, has_more: false })
      if (p === '/api/v1/widget/visitor') {
        const body = JSON.parse(String(init.body))
        patches.push(body)
        return json(200, { id: 'v1', verified: false, email: body.email })
      }
      return new Response(null, { status: 204 })
    }),
  )
  panel = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens: hostTokens(() => {}), host: () => {}, embedded: true, root })
  panel.init(null, {}, false, '', true, false, 'c1')
}

beforeEach(() => {
  FakeWS.all = []
  vi.stubGlobal('WebSocket', FakeWS)
  patches.length = 0
  root = document.createElement('div')
  document.body.replaceChildren(root)
})
afterEach(() => {
  panel?.destroy()
  vi.unstubAllGlobals()
})

it('asks for an email while the last message is the visitor’s, and keeps the address it is given', async () => {
  serve([msg(1, visitor, { body: 'Do you ship to Norway?' })])
  await until(() => root.querySelector('section.ask form.em') !== null, 'the email offer')
  const form = root.querySelector<HTMLFormElement>('section.ask form.em')!
  expect(form.querySelector('label')!.textContent).toBe('Get the answer by email if you leave')
  form.querySelector('input')!.value = 'vera@mail.example'
  form.dispatchEvent(new Event('submit', { cancelable: true }))
  await until(() => root.querySelector('section.ask [role=status]') !== null, 'the confirmation')
  expect(patches).toContainEqual({ email: 'vera@mail.example' })
  expect(root.querySelector('section.ask [role=status]')!.textContent).toContain('vera@mail.example')
})

it('does not ask once someone has answered', async () => {
  serve([msg(1, visitor, { body: 'Do you ship to Norway?' }), msg(2)])
  await until(() => root.querySelectorAll('.log .b').length === 2, 'the history')
  expect(root.querySelector('section.ask')).toBeNull()
})
