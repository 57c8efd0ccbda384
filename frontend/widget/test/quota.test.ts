// Beyond the plan's monthly quota the session says quota_exceeded: the panel
// shows the offline form (the visitor can still leave an email) and no
// composer for a new conversation.
import { afterEach, expect, it, vi } from 'vitest'
import { Panel } from '../src/panel/panel'
import { kvTokens, memory } from '../src/panel/storage'

const config = {
  business_name: 'Acme',
  widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: 'Hello!', greeting_identified: 'Hi {name}!', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
  offline_message: 'Leave your email and we will write back.',
  agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
  within_business_hours: true,
  quota_exceeded: true,
}

afterEach(() => vi.unstubAllGlobals())

it('shows the offline email form when the quota is exceeded', async () => {
  const calls: { method: string; path: string; body?: unknown }[] = []
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const u = new URL(url)
      calls.push({ method: init.method || 'GET', path: u.pathname, body: init.body ? JSON.parse(String(init.body)) : undefined })
      if (u.pathname.endsWith('/session')) return json(200, { visitor_token: 'tok', visitor: { id: 'v1', verified: false }, config })
      if (u.pathname === '/api/v1/widget/conversations') return json(200, { conversations: [] })
      if (u.pathname === '/api/v1/widget/visitor') return json(200, { id: 'v1', verified: false, email: 'me@example.com' })
      return json(404, { code: 'not_found' })
    }),
  )
  vi.stubGlobal(
    'WebSocket',
    class {
      send() {}
      close() {}
    },
  )
  const root = document.createElement('div')
  document.body.replaceChildren(root)
  const p = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens: kvTokens(memory(), 'v'), host: () => {}, embedded: true, root })
  p.init(null, {}, false, 'https://tenant.example/page', true, false)
  const end = Date.now() + 5000
  while (!root.querySelector('form.em') && Date.now() < end) await new Promise((r) => setTimeout(r, 5))
  expect(root.querySelector('section.off')?.textContent).toContain('Leave your email')
  expect((root.querySelector('form.cmp') as HTMLElement).hidden).toBe(true)
  const input = root.querySelector('form.em input') as HTMLInputElement
  input.value = 'me@example.com'
  root.querySelector('form.em')!.dispatchEvent(new Event('submit', { cancelable: true }))
  while (!calls.some((c) => c.path === '/api/v1/widget/visitor') && Date.now() < end) await new Promise((r) => setTimeout(r, 5))
  expect(calls.find((c) => c.path === '/api/v1/widget/visitor')?.body).toEqual({ email: 'me@example.com' })
  expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/widget/conversations')).toBe(false)
  p.destroy()
})
