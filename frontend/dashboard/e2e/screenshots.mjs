// Takes the README's screenshots (docs/screenshots/inbox.png,
// widget-settings.png and bots.png, 1280×800) against a private Parley with realistic
// sample data. Run: npm run screenshots.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createHmac, randomUUID } from 'node:crypto'
import { Harness, repoRoot, until } from './harness.mjs'

const h = new Harness()
const out = join(repoRoot, 'docs/screenshots')
mkdirSync(out, { recursive: true })
const chromeMac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const safariIos = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
const firefoxWin = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0'

try {
  await h.start()
  const suffix = randomUUID().slice(0, 6)
  const owner = { email: `olivia-${suffix}@northwind.example`, password: 'correct horse battery staple' }
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  const page = await ctx.newPage()
  await page.goto(h.base + '/signup')
  await page.getByLabel('Business name').fill('Northwind Bikes')
  await page.getByLabel('Your name').fill('Olivia Owens')
  await page.getByLabel('Work email').fill(owner.email)
  await page.getByLabel('Password').fill(owner.password)
  await page.getByRole('button', { name: 'Create workspace' }).click()
  await page.waitForURL(/getting-started/)
  const me = await h.api('POST', '/api/v1/auth/login', owner)
  const token = me.access_token
  const { tenant } = await h.api('GET', '/api/v1/me', undefined, token)

  // A teammate, saved replies, widget settings.
  const inv = await h.api('POST', '/api/v1/invites', { email: `sam-${suffix}@northwind.example`, role: 'agent' }, token)
  const sam = await h.api('POST', `/api/v1/invites/${encodeURIComponent(inv.token)}/accept`, { name: 'Sam Rivera', password: 'another long passphrase' })
  for (const [shortcut, body] of [
    ['shipping', 'We ship to Canada and the US in 3–5 business days, free over $50.'],
    ['returns', 'You can return any bike within 30 days — we even pay the return shipping.'],
    ['testride', 'Test rides are free: book a slot at northwind.example/test-ride.'],
  ]) await h.api('POST', '/api/v1/canned-responses', { shortcut, body }, token)
  await h.api('PATCH', '/api/v1/settings', {
    widget: {
      enabled: true, color: '#0f766e', position: 'right', launcher_text: 'Chat with us',
      greeting_anonymous: 'Hi there 👋 Questions about a bike? We reply in minutes.',
      greeting_identified: 'Welcome back, {name}! How can we help?', greeting_delay_seconds: 5,
      theme: 'light', locale: '', reply_time: 'minutes', require_verified_identity: false,
    },
  }, token)
  const { secret } = await h.api('GET', '/api/v1/settings/identity-secret', undefined, token)

  // Visitors and their conversations.
  const verified = (id, name, email) => ({ id, name, email, user_hash: createHmac('sha256', secret).update(id).digest('hex') })
  const people = [
    { profile: { name: 'James Chen', email: 'james.chen@fastmail.com', current_url: 'https://northwind.example/shipping', timezone: 'America/Vancouver', locale: 'en-CA' }, ua: firefoxWin, msgs: ['Do you ship to Canada? Looking at the Trail X.'] },
    { profile: { current_url: 'https://northwind.example/bikes/trail-x', timezone: 'Europe/Berlin', locale: 'de-DE' }, ua: safariIos, msgs: ['Is the Trail X available in size M?'] },
    { profile: { name: 'Priya Natarajan', email: 'priya.n@outlook.com', current_url: 'https://northwind.example/checkout', timezone: 'America/New_York', locale: 'en-US', attributes: { cart_total: '$1,249.00' } }, ua: chromeMac, msgs: ['My discount code SPRING15 is not working at checkout 😕'] },
    { profile: { name: 'Lukas Becker', email: 'lukas.becker@web.de', current_url: 'https://northwind.example/test-ride', timezone: 'Europe/Berlin', locale: 'de-DE' }, ua: chromeMac, msgs: ['Can I book a test ride for Saturday morning?'] },
    {
      identity: verified('cust_10482', 'Maria Lopez', 'maria.lopez@gmail.com'),
      profile: { current_url: 'https://northwind.example/account/orders/10482', timezone: 'America/Toronto', locale: 'en-CA', attributes: { plan: 'Northwind+ member', order: '#10482', lifetime_value: '$2,310', city: 'Toronto' } },
      ua: chromeMac,
      msgs: ['Hi! I ordered the Metro 7 last week — can I still change the colour to forest green?'],
      maria: true,
    },
  ]
  let mariaConv
  let maria
  for (const p of people) {
    const v = await h.visitor(tenant.widget_key, p.profile, { identity: p.identity, userAgent: p.ua })
    for (const m of p.msgs) await v.send(m)
    if (p.maria) {
      mariaConv = v.conversationId
      maria = v
    }
  }
  await h.api('PATCH', `/api/v1/conversations/${mariaConv}`, { assignee_id: me.user.id, labels: ['order-change', 'vip'] }, token)
  await h.api('POST', `/api/v1/conversations/${mariaConv}/messages`, { body: 'Checked with the warehouse: #10482 is still on the shelf, so a colour swap is fine.', client_msg_id: randomUUID(), private: true }, sam.access_token)
  await h.api('POST', `/api/v1/conversations/${mariaConv}/messages`, { body: "Hi Maria! Good news — it hasn't shipped yet, so I've switched your Metro 7 to forest green. 🌲", client_msg_id: randomUUID() }, token)
  await maria.send('Amazing, thank you! Will it still arrive by Friday?')
  // Maria shows where the bike goes; Olivia has a photo.
  // Drawn with the page's canvas (the CSP allows no eval, so each picture is a branch here).
  const drawn = async (kind) =>
    Buffer.from(await page.evaluate(async (kind) => {
      const c = document.createElement('canvas')
      const g = c.getContext('2d')
      const disc = (x, y, r, fill) => {
        g.fillStyle = fill
        g.beginPath()
        g.arc(x, y, r, 0, 7)
        g.fill()
      }
      if (kind === 'shed') {
        const [w, h] = [(c.width = 960), (c.height = 640)]
        const sky = g.createLinearGradient(0, 0, 0, h)
        sky.addColorStop(0, '#bae6fd')
        sky.addColorStop(1, '#f0f9ff')
        g.fillStyle = sky
        g.fillRect(0, 0, w, h)
        g.fillStyle = '#65a30d'
        g.fillRect(0, h * 0.72, w, h * 0.28)
        g.fillStyle = '#166534'
        g.fillRect(w * 0.18, h * 0.3, w * 0.5, h * 0.42)
        g.fillStyle = '#14532d'
        g.beginPath()
        g.moveTo(w * 0.14, h * 0.32)
        g.lineTo(w * 0.43, h * 0.12)
        g.lineTo(w * 0.72, h * 0.32)
        g.fill()
        g.fillStyle = '#fde68a'
        g.fillRect(w * 0.36, h * 0.46, w * 0.14, h * 0.26)
        g.strokeStyle = '#1f2937'
        g.lineWidth = 10
        for (const x of [0.74, 0.9]) {
          g.beginPath()
          g.arc(w * x, h * 0.8, h * 0.08, 0, 7)
          g.stroke()
        }
        g.beginPath()
        g.moveTo(w * 0.74, h * 0.8)
        g.lineTo(w * 0.8, h * 0.66)
        g.lineTo(w * 0.9, h * 0.8)
        g.moveTo(w * 0.8, h * 0.66)
        g.lineTo(w * 0.86, h * 0.66)
        g.stroke()
      } else {
        const w = (c.width = c.height = 256)
        g.fillStyle = '#c7d2fe'
        g.fillRect(0, 0, w, w)
        disc(w / 2, w * 0.42, w * 0.26, '#7c2d12')
        disc(w / 2, w * 0.46, w * 0.2, '#fcd9b6')
        disc(w / 2, w * 1.05, w * 0.42, '#4338ca')
      }
      const b = new Uint8Array(await (await new Promise((r) => c.toBlob(r, 'image/png'))).arrayBuffer())
      let x = ''
      for (const y of b) x += String.fromCharCode(y)
      return btoa(x)
    }, kind), 'base64')
  const multipart = async (method, path, bytes, name, auth, headers = {}) => {
    const form = new FormData()
    form.append('file', new Blob([bytes], { type: 'image/png' }), name)
    const r = await fetch(h.base + path, { method, headers: { Authorization: 'Bearer ' + auth, ...headers }, body: form })
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
    return r.json()
  }
  const bikeShed = await drawn('shed')
  const shed = await multipart('POST', '/api/v1/widget/uploads', bikeShed, 'new-bike-shed.png', maria.token, { Origin: h.site })
  await h.api('POST', `/api/v1/widget/conversations/${mariaConv}/messages`, { body: 'It finally has a home 😄', client_msg_id: randomUUID(), attachments: [shed.id] }, maria.token, { Origin: h.site })
  const face = await drawn('face')
  await multipart('PUT', '/api/v1/me/avatar', face, 'olivia.png', token)

  await page.goto(`${h.base}/inbox`)
  await page.getByRole('button', { name: 'All' }).click()
  await page.locator('.conv-item').nth(4).waitFor()
  await page.goto(`${h.base}/inbox/${encodeURIComponent(mariaConv)}`)
  await page.getByRole('button', { name: 'All' }).click()
  await page.locator('.msg-body').filter({ hasText: 'arrive by Friday' }).waitFor()
  await until(() => page.locator('.att-thumb img').evaluate((e) => e.complete && e.naturalWidth > 0), 'the photo to load')
  await page.locator('.inbox-visitor .past-list, .inbox-visitor .muted').last().waitFor()
  await page.locator('#composer-input').fill('Yes — it leaves our warehouse today, so Friday it is. ')
  await until(async () => (await page.locator('.toast').count()) === 0, 'toasts to fade', 8000)
  await page.screenshot({ path: join(out, 'inbox.png') })

  await page.goto(`${h.base}/settings/widget`)
  await page.getByTestId('widget-preview').waitFor()
  await page.screenshot({ path: join(out, 'widget-settings.png') })

  // The bot, configured after the inbox's shot so that it answers nobody there.
  const weekday = [{ open: '09:00', close: '17:00' }]
  const bot = await h.api('GET', '/api/v1/bot', undefined, token)
  await h.api('PUT', '/api/v1/bot', {
    ...bot, enabled: true, name: 'Northwind Assistant', skills: ['faq', 'appointments', 'after_hours'],
    faq: { threshold: 0.5, entries: [
      { id: '', question: 'Do you ship to Canada?', alternatives: ['Shipping to Canada', 'How long does delivery take?'], answer: 'Yes! We ship to Canada and the US in 3–5 business days, free over $50.' },
      { id: '', question: 'Can I return a bike?', alternatives: ['What is your return policy?', 'I want a refund'], answer: 'You can return any bike within 30 days — we even pay the return shipping.' },
      { id: '', question: 'Do you offer financing?', alternatives: ['Can I pay in instalments?'], answer: 'Yes: 0% financing over 12 months on bikes above $500, decided at checkout in a minute.' },
    ] },
    appointments: { ...bot.appointments, timezone: 'America/Toronto', buffer_minutes: 15, horizon_days: 14,
      weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [{ open: '10:00', close: '14:00' }] },
      services: [{ id: '', name: 'Test ride', duration_minutes: 30 }, { id: '', name: 'Bike fitting', duration_minutes: 60 }] },
    after_hours: { message: "Thanks for writing! Our team is out on the trails right now." },
  }, token)
  await page.goto(`${h.base}/bots`)
  await page.getByRole('heading', { name: 'FAQ answers' }).first().waitFor()
  await page.screenshot({ path: join(out, 'bots.png') })
  console.log(`wrote inbox.png, widget-settings.png and bots.png in ${out}`)
} finally {
  await h.stop()
}
