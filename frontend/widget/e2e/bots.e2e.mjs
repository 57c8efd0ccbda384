// Browser journeys of issue 6 in the widget, against a real Parley started
// with PARLEY_BOT_ALLOW_PRIVATE_NETWORKS=true (see harness.mjs) so the
// order-status skill may call the test's own endpoint on loopback: a visitor
// asks a FAQ, checks an order, books a slot, asks for a person and sees the
// queue, and an agent takes over. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Harness, newPage, openPanel, randomUUID, until } from './harness.mjs'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

const h = new Harness()
let shop // the tenant: {key, token, user}
let orders // the tenant's order endpoint: {url, calls}
const secret = 'whsec_' + randomUUID().replace(/-/g, '')

/**
 * orderEndpoint is the tenant's own order-status server: it checks the
 * Standard Webhooks signature (webhook-id, webhook-timestamp,
 * webhook-signature: v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>),
 * knows order 12345 and answers 404 for any other.
 */
async function orderEndpoint() {
  const calls = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const id = req.headers['webhook-id'] || ''
      const ts = req.headers['webhook-timestamp'] || ''
      const want = Buffer.from('v1,' + createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('base64'))
      const sigs = String(req.headers['webhook-signature'] || '').split(' ').map((s) => Buffer.from(s))
      const signed = sigs.some((s) => s.length === want.length && timingSafeEqual(s, want))
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300
      const call = { method: req.method, id, signed: signed && fresh && !!id, body }
      calls.push(call)
      if (!call.signed) return void res.writeHead(401).end()
      let number = ''
      try {
        number = String(JSON.parse(body).order_number || '').replace(/^#/, '')
      } catch {
        return void res.writeHead(400).end()
      }
      if (number !== '12345') return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"unknown order"}')
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ number: '12345', status: 'shipped', eta: 'Friday' }))
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${server.address().port}/orders`, calls, close: () => new Promise((r) => server.close(r)) }
}

const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '23:59' }]]))

before(async () => {
  await h.start()
  orders = await orderEndpoint()
  shop = await h.signup('Northwind Bikes')
  await h.patchSettings(shop.token, (s) => ({ widget: { ...s.widget, greeting_delay_seconds: -1 } }))
  const saved = await h.api('PUT', '/api/v1/bot', {
    enabled: true,
    name: 'Robin',
    skills: ['faq', 'order_status', 'appointments'],
    faq: {
      threshold: 0.5,
      entries: [
        { id: '', question: 'How long does shipping take?', alternatives: ['delivery time', 'when will my parcel arrive'], answer: 'Shipping takes 3 to 5 business days.' },
        { id: '', question: 'What is your return policy?', alternatives: ['can I return a bike'], answer: 'Returns are free within 30 days.' },
      ],
    },
    order_status: { url: orders.url, secret, secret_set: false, number_pattern: '^#?\\d{5}$', reply_template: 'Order {{number}} is {{status}}, due {{eta}}.' },
    appointments: { timezone: 'UTC', weekly: allWeek, buffer_minutes: 0, horizon_days: 7, services: [{ id: '', name: 'Bike fitting', duration_minutes: 30 }] },
    after_hours: { message: '' },
    external: { url: '', secret_set: false },
  }, shop.token)
  assert.equal(saved.order_status.secret_set, true)
  assert.equal(saved.order_status.secret, undefined, 'the secret is never read back')
})

after(async () => {
  await orders?.close()
  await h.stop()
})

const botSays = (f, text) => f.locator('.g.them.bot .b, .g.them.bot .card').filter({ hasText: text }).last()

async function say(f, text) {
  const box = f.locator('form.cmp textarea')
  await box.fill(text)
  await box.press('Enter')
  await f.locator('.log .g.me .m:not(.p) .b').filter({ hasText: text }).last().waitFor({ timeout: 15000 })
}

/** A visitor at a browser with the widget open, in UTC so slot labels are predictable. */
async function visitor() {
  const ctx = await h.browser.newContext({ timezoneId: 'UTC', locale: 'en-US' })
  const page = await newPage(ctx)
  await page.goto(h.pageURL(shop.key))
  const f = await openPanel(page)
  return { ctx, page, f }
}

let v // the first visitor, through the FAQ, order and booking journeys

test('a visitor asks a FAQ and the bot answers, by name, offering a person', { timeout: 60000 }, async () => {
  v = await visitor()
  await say(v.f, 'How long does shipping take?')
  const answer = botSays(v.f, 'Shipping takes 3 to 5 business days.')
  await answer.waitFor({ timeout: 10000 })
  const who = v.f.locator('.g.them.bot .who').last()
  assert.equal(await who.locator('.n').textContent(), 'Robin')
  assert.equal(await who.locator('.bt').textContent(), 'Bot')
  // Every bot answer offers a person.
  await v.f.locator('.qr button', { hasText: 'Talk to a person' }).waitFor()
  assert.deepEqual(v.page.dialogs, [])
})

test('a visitor checks an order: the bot calls the signed endpoint and fills the template', { timeout: 60000 }, async () => {
  await say(v.f, 'Where is my order?')
  await botSays(v.f, 'order number').waitFor({ timeout: 10000 })
  await say(v.f, '12345')
  await botSays(v.f, 'Order 12345 is shipped, due Friday.').waitFor({ timeout: 10000 })
  // An unknown order: a polite answer and the offer of a person.
  await say(v.f, 'And order #99999?')
  await botSays(v.f, "I couldn't find an order #99999").waitFor({ timeout: 10000 })
  await v.f.locator('.qr button', { hasText: 'Talk to a person' }).waitFor()
  assert.ok(orders.calls.length >= 2, 'the endpoint was called')
  assert.ok(orders.calls.every((c) => c.method === 'POST' && c.signed), 'every call carried a valid, fresh signature: ' + JSON.stringify(orders.calls))
  assert.deepEqual(orders.calls.map((c) => JSON.parse(c.body).order_number), ['12345', '#99999'])
})

test('a visitor books a slot: quick replies, name, email, a confirmation with an .ics link', { timeout: 60000 }, async () => {
  await say(v.f, "I'd like to book an appointment")
  await botSays(v.f, 'next free times for Bike fitting').waitFor({ timeout: 10000 })
  const slots = v.f.locator('.log .qr').last().locator('button')
  await until(async () => (await slots.count()) > 1, 'slot quick replies')
  const label = await slots.first().innerText()
  assert.match(label, /^\w{3} \d{1,2} \w{3}, \d{2}:\d{2}$/, 'a slot like "Tue 24 Nov, 12:00"')
  await slots.first().click()
  // The click sends the slot's value; the visitor sees its label.
  await v.f.locator('.log .g.me .m:not(.p) .b').filter({ hasText: label }).waitFor({ timeout: 10000 })
  await botSays(v.f, 'What name should the booking be under?').waitFor({ timeout: 10000 })
  await say(v.f, 'Ada Lovelace')
  await botSays(v.f, "What's your email").waitFor({ timeout: 10000 })
  await say(v.f, 'ada@example.com')
  const card = v.f.locator('.g.them.bot .card').filter({ hasText: 'Bike fitting' }).last()
  await card.waitFor({ timeout: 10000 })
  assert.match(await card.innerText(), /You're booked, Ada Lovelace/)
  // The card is scrolled into view, even though it grows after layout (issue 10).
  await until(() => v.f.locator('main').evaluate((m) => m.scrollHeight - m.scrollTop - m.clientHeight < 2), 'the confirmation card in view')
  const link = card.locator('a', { hasText: 'Add to calendar' })
  const href = await link.getAttribute('href')
  assert.match(href, /\/api\/v1\/bookings\/[^/]+\/ics\?token=/)
  assert.equal(await link.getAttribute('target'), '_blank')
  // The link names Parley's public origin (parley.test); Node reaches it at 127.0.0.1.
  assert.ok(href.startsWith(h.pub + '/'), href)
  const ics = await fetch(h.base + href.slice(h.pub.length))
  assert.equal(ics.status, 200)
  assert.match(ics.headers.get('content-type') || '', /text\/calendar/)
  const body = await ics.text()
  assert.match(body, /BEGIN:VCALENDAR/)
  assert.match(body, /Bike fitting/)
  const { bookings } = await h.api('GET', '/api/v1/bookings?from=' + encodeURIComponent(new Date(Date.now() - 3600e3).toISOString()), undefined, shop.token)
  assert.ok(bookings.some((b) => b.name === 'Ada Lovelace' && b.email === 'ada@example.com' && b.status === 'booked'), JSON.stringify(bookings))
  await v.ctx.close()
})

test('a visitor asks for a person, sees the place in the queue live, and sees who joined', { timeout: 90000 }, async () => {
  // Someone is already waiting (through the REST API): our visitor is second.
  const s = await h.api('POST', `/api/v1/widget/${shop.key}/session`, {})
  const first = await h.api('POST', '/api/v1/widget/conversations', { body: 'I need a human please', client_msg_id: randomUUID() }, s.visitor_token)
  await until(async () => (await h.api('GET', `/api/v1/conversations/${first.conversation.id}`, undefined, shop.token)).handoff === 'queued', 'the first visitor queued')

  const w = await visitor()
  await say(w.f, 'How long does shipping take?')
  await botSays(w.f, 'Shipping takes 3 to 5 business days.').waitFor({ timeout: 10000 })
  // "Talk to a person" is a quick reply like any other.
  await w.f.locator('.log .qr').last().locator('button', { hasText: 'Talk to a person' }).click()
  await w.f.locator('.log .g.me .m:not(.p) .b').filter({ hasText: 'Talk to a person' }).waitFor({ timeout: 10000 })
  const queue = w.f.locator('.qu')
  await queue.waitFor({ timeout: 10000 }).catch(async (e) => {
    console.log('# the panel says:', await w.f.locator('.log').innerText(), '| queue:', await queue.textContent())
    throw e
  })
  await queue.filter({ hasText: 'You’re number 2 in line for a person.' }).waitFor({ timeout: 10000 })
  assert.match(await queue.innerText(), /Expected wait: about 2 minutes\./)

  // The panel in the queued state passes axe (WCAG 2.x A/AA).
  const inner = await (await w.page.locator('[data-parley] iframe').elementHandle()).contentFrame()
  await inner.evaluate(axeSource)
  const r = await inner.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
  assert.deepEqual(r.violations.map((x) => `${x.id} ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`), [])

  // An agent takes the first visitor: ours moves up, live.
  await h.api('POST', `/api/v1/conversations/${first.conversation.id}/handoff`, { to: 'agent' }, shop.token)
  await queue.filter({ hasText: 'You’re next in line for a person.' }).waitFor({ timeout: 10000 })

  // Then ours: the queue line goes and a centred system line says who joined.
  const mine = (await h.api('GET', '/api/v1/conversations?handoff=queued', undefined, shop.token)).conversations
  assert.equal(mine.length, 1)
  await h.api('POST', `/api/v1/conversations/${mine[0].id}/handoff`, { to: 'agent' }, shop.token)
  const joined = w.f.locator('.log .g.sys').filter({ hasText: 'Olivia Owner joined the conversation' })
  await joined.waitFor({ timeout: 10000 })
  await queue.waitFor({ state: 'hidden' })
  assert.equal(await joined.evaluate((el) => getComputedStyle(el).alignItems), 'center')
  await h.api('POST', `/api/v1/conversations/${mine[0].id}/messages`, { body: 'Hi, Olivia here. How can I help?', client_msg_id: randomUUID() }, shop.token)
  await w.f.locator('.g.them.agent .b', { hasText: 'Olivia here' }).waitFor({ timeout: 10000 })
  assert.deepEqual(w.page.dialogs, [])
  assert.deepEqual(w.page.logs.filter((l) => l.startsWith('pageerror')), [])
  await w.ctx.close()
})
