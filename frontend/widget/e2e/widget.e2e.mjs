// Browser journeys of issue 4 against a real Parley, with the snippet on a
// test page served from another origin. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { Harness, frame, launcher, newPage, openPanel, randomUUID, repoRoot, until, userHash, send, stored } from './harness.mjs'
import { corpus } from './xss.mjs'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

const h = new Harness()
let acme // the tenant: {key, token}
let convId // the anonymous visitor's conversation
let anon // the anonymous visitor's browser context

before(async () => {
  await h.start()
  acme = await h.signup('Acme Outdoor')
  await h.patchSettings(acme.token, (s) => ({ widget: { ...s.widget, greeting_delay_seconds: 0 } }))
})

after(async () => {
  await h.stop()
})

async function agentConversations() {
  return (await h.api('GET', '/api/v1/conversations', undefined, acme.token)).conversations || []
}

test('open → send → a live agent reply → read receipts, typing and the unread badge', { timeout: 90000 }, async () => {
  anon = await h.browser.newContext()
  const page = await newPage(anon)
  await page.goto(h.pageURL(acme.key))
  await launcher(page).waitFor()
  // Nothing is loaded before the visitor opens the launcher.
  assert.equal(await page.locator('[data-parley] iframe').count(), 0)
  await page.locator('[data-parley] .bb').filter({ hasText: 'Hi there' }).waitFor()

  const f = await openPanel(page)
  await f.locator('h1', { hasText: 'Acme Outdoor' }).waitFor()
  await send(f, 'Hello, do you ship to Norway?')

  const conv = await until(async () => (await agentConversations())[0], 'the conversation in the agent inbox')
  convId = conv.id
  assert.equal(conv.visitor.attributes?.plan, 'pro', 'setAttributes reached the agents')

  await h.api('POST', `/api/v1/conversations/${convId}/messages`, { body: 'Yes! Shipping to Norway takes 3 days.', client_msg_id: randomUUID() }, acme.token)
  await stored(f, 'Shipping to Norway takes 3 days').waitFor({ timeout: 15000 })
  assert.ok(await page.evaluate(() => window.__events.some((e) => e.e === 'message' && /Norway/.test(e.d.body))), 'on("message") fired on the host page')

  // The visitor has read the agent's reply (the panel is open).
  await until(async () => (await h.api('GET', `/api/v1/conversations/${convId}`, undefined, acme.token)).visitor_read_seq >= 2, 'visitor_read_seq')
  // The visitor writes again: not seen until the agent reads it.
  await send(f, 'Great, thanks!')
  const msgs = (await h.api('GET', `/api/v1/conversations/${convId}/messages?after_seq=0`, undefined, acme.token)).messages
  assert.equal(await f.locator('.seen').count(), 0)
  await h.api('POST', `/api/v1/conversations/${convId}/read`, { seq: msgs[msgs.length - 1].seq }, acme.token)
  await f.locator('.g.me').last().locator('.seen', { hasText: 'Seen' }).waitFor({ timeout: 15000 })

  // Typing both ways, over an agent socket.
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/api/v1/ws?access_token=${encodeURIComponent(acme.token)}`)
  const frames = []
  ws.onmessage = (e) => frames.push(JSON.parse(e.data))
  await until(() => frames.some((x) => x.type === 'hello'), 'agent socket hello')
  ws.send(JSON.stringify({ type: 'typing', conversation_id: convId, typing: true }))
  await f.locator('.typing', { hasText: 'is typing' }).waitFor({ timeout: 10000 })
  // The agent's socket makes them online: the header says so.
  await f.locator('.hd', { hasText: 'Online now' }).waitFor({ timeout: 15000 })
  // The README's screenshot (docs/screenshots/widget.png), when asked for:
  // PARLEY_SCREENSHOTS=1 npm run test:e2e.
  if (process.env.PARLEY_SCREENSHOTS) {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.screenshot({ path: join(repoRoot, 'docs/screenshots/widget.png') })
  }
  await f.locator('form.cmp textarea').pressSequentially('Also', { delay: 20 })
  await until(() => frames.some((x) => x.type === 'typing' && x.conversation_id === convId && x.author?.type === 'visitor'), 'visitor typing frame at the agent')
  await f.locator('form.cmp textarea').fill('')

  // Closed panel: a new agent message shows an unread badge on the launcher.
  await f.locator('button[aria-label="Close chat"]').click()
  await page.locator('[data-parley] iframe').waitFor({ state: 'hidden' })
  await h.api('POST', `/api/v1/conversations/${convId}/messages`, { body: 'Anything else?', client_msg_id: randomUUID() }, acme.token)
  await page.locator('[data-parley] .bd', { hasText: '1' }).waitFor({ timeout: 15000 })
  ws.close()
  assert.deepEqual(page.dialogs, [])
})

test('a reload keeps the history', { timeout: 60000 }, async () => {
  const page = await newPage(anon)
  await page.goto(h.pageURL(acme.key))
  const f = await openPanel(page)
  await stored(f, 'Hello, do you ship to Norway?').waitFor()
  await stored(f, 'Shipping to Norway takes 3 days').waitFor()
  await stored(f, 'Anything else?').waitFor()
  await page.close()
})

test('an identified visitor is greeted by name and sees the same history in another browser', { timeout: 60000 }, async () => {
  const { secret } = await h.api('GET', '/api/v1/settings/identity-secret', undefined, acme.token)
  const identity = { id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com', user_hash: userHash(secret, 'u-42') }

  const one = await h.browser.newContext()
  const p1 = await newPage(one)
  await p1.goto(h.pageURL(acme.key, { identify: identity }))
  await p1.locator('[data-parley] .bb', { hasText: 'Hi Ada Lovelace!' }).waitFor()
  const f1 = await openPanel(p1)
  await f1.locator('.intro', { hasText: 'Ada Lovelace' }).waitFor()
  await send(f1, 'My order #1234 has not arrived')

  const conv = await until(async () => (await agentConversations()).find((c) => c.visitor.external_id === 'u-42' || c.visitor.name === 'Ada Lovelace'), 'Ada in the inbox')
  assert.equal(conv.visitor.verified, true, 'agents see a verified visitor')

  const two = await h.browser.newContext()
  const p2 = await newPage(two)
  await p2.goto(h.pageURL(acme.key, { identify: identity }))
  const f2 = await openPanel(p2)
  await stored(f2, 'My order #1234 has not arrived').waitFor()
  await f2.locator('.intro', { hasText: 'Ada Lovelace' }).waitFor()
  await one.close()
  await two.close()
})

test('a wrong user_hash is refused visibly and reaches no history', { timeout: 60000 }, async () => {
  const ctx = await h.browser.newContext()
  const page = await newPage(ctx)
  await page.goto(h.pageURL(acme.key, { identify: { id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com', user_hash: '0'.repeat(64) } }))
  await launcher(page).click()
  const f = frame(page)
  await f.locator('[role=alert]', { hasText: 'verify' }).waitFor({ timeout: 15000 })
  await until(() => page.evaluate(() => window.__events.some((e) => e.e === 'error' && e.d.code === 'unauthenticated')), 'on("error") on the host')
  assert.ok(page.logs.some((l) => l.startsWith('error: Parley:')), 'a console error names the problem')
  assert.equal(await f.locator('text=My order #1234').count(), 0)
  assert.ok(await f.locator('form.cmp').isHidden())
  // The refusal still has a proper header: the tenant's name (issue 10).
  await f.locator('.hd h1', { hasText: 'Acme Outdoor' }).waitFor()
  await ctx.close()
})

test('the XSS corpus is inert in the panel and the launcher', { timeout: 90000 }, async () => {
  for (const s of corpus) await h.api('POST', `/api/v1/conversations/${convId}/messages`, { body: s, client_msg_id: randomUUID() }, acme.token)
  const page = await newPage(anon)
  // An unverified identify with a hostile name: shown only as text.
  await page.goto(h.pageURL(acme.key, { identify: { id: 'x', name: '<img src=x onerror=alert("xss-name")>' } }))
  await page.locator('[data-parley] .bb', { hasText: '<img src=x' }).waitFor()
  const f = await openPanel(page)
  for (const s of corpus.slice(0, 3)) await send(f, s) // through the visitor's own composer too
  for (const s of corpus) await stored(f, s).waitFor()
  const inner = await page.locator('[data-parley] iframe').elementHandle()
  const fr = await inner.contentFrame()
  const report = await fr.evaluate(() => ({
    scripts: document.querySelectorAll('script:not([type="module"]):not([type="application/json"])').length,
    // The panel's own icons (svg.ic, the delete button's bin) are the only SVG.
    bad: document.querySelectorAll('main img, main iframe, main svg:not(.ic), main object, main embed, main details, main form:not(.em) script').length,
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + ' ' + a.name)),
    hrefs: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
  }))
  assert.equal(report.scripts, 0)
  assert.equal(report.bad, 0)
  assert.deepEqual(report.handlers, [])
  for (const href of report.hrefs) assert.match(href, /^https?:\/\//)
  const host = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length + document.querySelector('[data-parley]').shadowRoot.querySelectorAll('img').length,
  }))
  assert.equal(host.imgs, 0)
  assert.deepEqual(page.dialogs, [], 'no dialog fired')
  await page.close()
})

test('keyboard only, focus, axe (light and dark), languages, small screens, screenshot', { timeout: 120000 }, async () => {
  const page = await newPage(anon)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(h.pageURL(acme.key))
  await launcher(page).waitFor()
  // Tab to the launcher, open with Enter: focus lands in the composer.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(() => document.querySelector('[data-parley]')?.shadowRoot?.activeElement?.classList.contains('lc'))) break
  }
  await page.keyboard.press('Enter')
  const f = frame(page)
  await f.locator('form.cmp textarea').waitFor()
  const inner = await (await page.locator('[data-parley] iframe').elementHandle()).contentFrame()
  await until(() => inner.evaluate(() => document.activeElement?.id === 'msg'), 'focus in the composer')
  await page.keyboard.type('Typed with the keyboard only')
  await page.keyboard.press('Enter')
  await stored(f, 'Typed with the keyboard only').waitFor()
  // Escape closes and gives focus back to the launcher.
  await page.keyboard.press('Escape')
  await page.locator('[data-parley] iframe').waitFor({ state: 'hidden' })
  await until(() => page.evaluate(() => document.querySelector('[data-parley]').shadowRoot.activeElement?.classList.contains('lc')), 'focus back on the launcher')

  // axe-core: WCAG 2.x A/AA, including contrast, in light and dark.
  await launcher(page).click()
  await f.locator('form.cmp textarea').waitFor()
  const axe = async (where) => {
    await inner.evaluate(axeSource)
    const r = await inner.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
    assert.deepEqual(r.violations.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [])
  }
  await axe('light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await until(() => inner.evaluate(() => document.documentElement.dataset.theme === 'dark'), 'dark theme')
  await axe('dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // Full screen on a phone.
  await page.setViewportSize({ width: 390, height: 760 })
  const box = await page.locator('[data-parley] iframe').boundingBox()
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 760])
  await page.close()

  // The browser's language picks the panel's.
  for (const [locale, text] of [['fr-FR', 'Écrivez un message…'], ['de-DE', 'Nachricht schreiben…'], ['es-ES', 'Escribe un mensaje…']]) {
    const ctx = await h.browser.newContext({ locale })
    const p = await newPage(ctx)
    await p.goto(h.pageURL(acme.key))
    const fl = await openPanel(p)
    assert.equal(await fl.locator('form.cmp textarea').getAttribute('placeholder'), text)
    await ctx.close()
  }
})

test('a page on a disallowed origin gets no panel', { timeout: 90000 }, async () => {
  await h.patchSettings(acme.token, () => ({ allowed_domains: [h.host] }))
  try {
    const ctx = await h.browser.newContext()
    let page
    let n = 0
    // The gateway caches settings briefly: poll fresh loads until the change shows.
    await until(async () => {
      await page?.close()
      page = await newPage(ctx)
      await page.goto(h.pageURL(acme.key, { origin: h.otherHost, v: ++n }))
      await page.waitForFunction(() => window.Parley && window.Parley.loaded, null, { timeout: 10000 })
      return (await page.locator('[data-parley]').count()) === 0
    }, 'the loader to refuse evil.test', 60000, 500)
    assert.ok(page.logs.some((l) => l.startsWith('warning: Parley:') && l.includes('allowed domains')))
    // Even a hand-made iframe is refused by the frame's CSP frame-ancestors.
    await page.evaluate((src) => {
      const i = document.createElement('iframe')
      i.src = src
      document.body.appendChild(i)
    }, `${h.pub}/widget/${acme.key}/frame#origin=${encodeURIComponent(h.otherHost)}`)
    await until(async () => {
      const fr = page.frames().find((x) => x !== page.mainFrame())
      if (!fr) return false
      if (fr.url().startsWith('chrome-error:')) return true
      return (await fr.evaluate(() => !document.querySelector('#app')).catch(() => true))
    }, 'the frame to be blocked')

    // The allowed origin still works.
    const ok = await newPage(ctx)
    await ok.goto(h.pageURL(acme.key, { v: ++n }))
    const f = await openPanel(ok)
    await stored(f, 'Hello, do you ship to Norway?').waitFor().catch(() => {}) // another visitor: history may be empty
    await f.locator('h1', { hasText: 'Acme Outdoor' }).waitFor()
    await ctx.close()
  } finally {
    await h.patchSettings(acme.token, () => ({ allowed_domains: [] }))
  }
})

test('offline outside business hours: when the team is back, and an email form', { timeout: 60000 }, async () => {
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
  const tomorrow = days[(new Date().getUTCDay() + 1) % 7]
  await h.patchSettings(acme.token, () => ({ business_hours: { enabled: true, timezone: 'UTC', weekly: { [tomorrow]: [{ open: '09:00', close: '10:00' }] }, holidays: [] } }))
  const ctx = await h.browser.newContext({ timezoneId: 'UTC', locale: 'en-US' })
  try {
    let page
    let f
    await until(async () => {
      await page?.close()
      page = await newPage(ctx)
      await page.goto(h.pageURL(acme.key))
      f = await openPanel(page)
      return f.locator('.off', { hasText: 'Back tomorrow at 9:00' }).isVisible()
    }, 'the offline state', 45000, 500)
    await f.locator('.off input[type=email]').fill('visitor@example.com')
    await f.locator('.off button', { hasText: 'Notify me' }).click()
    await f.locator('.off [role=status]', { hasText: 'visitor@example.com' }).waitFor()
    // Messages can still be left.
    await send(f, 'Please call me back tomorrow')
    // The newest message is in view, below the away note (issue 10).
    await until(() => f.locator('main').evaluate((m) => m.scrollHeight - m.scrollTop - m.clientHeight < 2), 'the newest message in view')
  } finally {
    await ctx.close()
    await h.patchSettings(acme.token, (s) => ({ business_hours: { ...s.business_hours, enabled: false } }))
  }
})
