// The inbox catches up after its socket drops: one resume with the last
// cursor replays every missed conversation, with no REST request per
// conversation and no list reload. Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Harness, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { business_name: 'Northwind Bikes', name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
let widgetKey

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', owner)
  widgetKey = (await h.api('GET', '/api/v1/me', undefined, s.access_token)).tenant.widget_key
})

after(async () => {
  await h.stop()
})

test('after its socket drops, the inbox resumes every missed conversation in one step', { timeout: 120000 }, async () => {
  const ctx = await h.browser.newContext()
  // The page's sockets go through this route: while "down", the gateway is
  // unreachable (every attempt is closed at once).
  let down = false
  let live
  const urls = []
  await ctx.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    if (down) return ws.close()
    urls.push(ws.url())
    ws.connectToServer()
    live = ws
  })
  const p = await h.newPage(ctx)
  await p.goto(h.base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.waitForURL(/\/inbox$/)
  await p.locator('.live-on').waitFor()

  const first = await h.visitor(widgetKey, { name: 'Early Bird' })
  await first.send('before the drop')
  await until(async () => /^\(1\) /.test(await p.title()), 'the first message in the tab title')

  down = true
  await live.close()
  const missed = 30
  for (let i = 0; i < missed; i++) {
    const v = await h.visitor(widgetKey, { name: `Visitor ${i}` })
    await v.send(`missed while away ${i}`)
  }
  await first.send('and one more')

  const requests = []
  p.on('request', (r) => {
    if (r.method() === 'GET' && /\/api\/v1\/conversations(\/[^/?]+)?(\?|$)/.test(r.url())) requests.push(r.url())
  })
  down = false
  await until(async () => new RegExp(`^\\(${missed + 2}\\) `).test(await p.title()), 'every missed message counted', 30000)
  assert.equal(urls.length, 2, 'one reconnect')
  assert.match(urls[1], /[?&]cursor=\d+/, 'the reconnect resumes with the last cursor')
  assert.deepEqual(requests, [], 'no conversation or list fetched to catch up')
  await p.locator('.conv-item').filter({ hasText: 'and one more' }).waitFor()
  await p.locator('.live-on').waitFor()
  assert.deepEqual(p.problems, [])
  assert.deepEqual(p.badResponses, [])
})
