// Browser checks of the defects a new user met (issue 10 §3) and of desktop
// notifications, against a real Parley. Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Harness, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { business_name: 'Northwind Bikes', name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
let token, widgetKey

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', owner)
  token = s.access_token
  widgetKey = (await h.api('GET', '/api/v1/me', undefined, token)).tenant.widget_key
})

after(async () => {
  await h.stop()
})

/** shoot saves a screenshot under $DEFECTS_SCREENSHOTS (a directory), when it is set, to look at. */
async function shoot(page, name) {
  if (process.env.DEFECTS_SCREENSHOTS) await page.screenshot({ path: `${process.env.DEFECTS_SCREENSHOTS}/${name}.png` })
}

/** login signs the owner in at base (Parley's public URL unless told otherwise). */
async function login(ctx, base = h.base) {
  const p = await h.newPage(ctx)
  await p.goto(base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.waitForURL(/\/inbox$/)
  return p
}

test('the conversation toolbar is one row at 1280×800', { timeout: 60000 }, async () => {
  const v = await h.visitor(widgetKey, { name: 'Maria Lopez', email: 'maria@example.com' })
  await v.send('Hi! Does the Trail X come in size M? https://northwind.example/bikes/trail-x')
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const p = await login(ctx)
  await p.goto(`${h.base}/inbox/${v.conversationId}`)
  await p.locator('.conv-header').waitFor()
  await p.locator('.msg-body a').first().waitFor()
  await shoot(p, 'toolbar')
  const rows = await p.evaluate(() => {
    const tops = new Set()
    for (const el of document.querySelectorAll('.conv-header > *')) {
      const r = el.getBoundingClientRect()
      if (r.width > 0 && r.height > 0) tops.add(Math.round(r.top + r.height / 2))
    }
    return tops.size
  })
  const height = await p.locator('.conv-header').evaluate((el) => el.getBoundingClientRect().height)
  assert.equal(rows, 1, `toolbar rows at 1280 px (header ${height}px high)`)
  // Everything else is one click away, inside the window.
  await p.locator('#conv-more > summary').click()
  const panel = p.locator('#conv-more > .menu-panel')
  await p.getByRole('button', { name: 'Download transcript' }).waitFor()
  const box = await panel.boundingBox()
  assert.ok(box.x >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800, `the menu fits the window: ${JSON.stringify(box)}`)
  await shoot(p, 'toolbar-menu')
  await p.keyboard.press('Escape')
  const link = p.locator('.msg-body a').first()
  assert.equal(await link.getAttribute('href'), 'https://northwind.example/bikes/trail-x')
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow')
  assert.equal(await link.getAttribute('target'), '_blank')
  await ctx.close()
})

test('opened at another address of the same server, the dashboard is live and stays signed in', { timeout: 60000 }, async () => {
  // Parley's public URL is http://127.0.0.1:<port>; localhost is the same server under another origin.
  const other = h.base.replace('127.0.0.1', 'localhost')
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const p = await login(ctx, other)
  await p.locator('.live.live-on').waitFor({ timeout: 15000 })
  assert.equal(await p.locator('.conn-status').count(), 0, 'no "Reconnecting…" in the sidebar')
  // A reload signs in again from the refresh cookie set at this address.
  await p.reload()
  await p.waitForURL(/\/inbox$/)
  await p.locator('.live.live-on').waitFor({ timeout: 15000 })
  // A visitor's message arrives live.
  const v = await h.visitor(widgetKey, { name: 'Live Check' })
  await v.send('Are you there from localhost?')
  await p.locator('.conv-item').filter({ hasText: 'Live Check' }).waitFor({ timeout: 15000 })
  await ctx.close()
})

test('allowed domains: a bare host shows what it allows, means http and https, and applies at once', { timeout: 60000 }, async () => {
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const p = await login(ctx)
  await p.goto(h.base + '/settings/installation')
  await p.getByText('A change applies at once').waitFor()
  await p.getByLabel('Domain').fill('Shop.Example.com')
  await p.getByText('Allows http://shop.example.com and https://shop.example.com.').waitFor()
  await p.getByRole('button', { name: 'Add domain' }).click()
  const item = p.locator('.domain-list li').filter({ hasText: 'shop.example.com' })
  await item.filter({ hasText: 'http and https' }).waitFor()
  await shoot(p, 'allowed-domains')
  const session = async (origin) =>
    (await fetch(`${h.base}/api/v1/widget/${widgetKey}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: '{}' })).status
  // The gateway drops its cached settings on the change event: no minute of waiting.
  await until(async () => (await session('https://elsewhere.example')) === 403, 'another site refused', 3000)
  assert.equal(await session('http://shop.example.com'), 200)
  assert.equal(await session('https://shop.example.com'), 200)
  // Removing the one item removes both origins.
  await item.getByRole('button', { name: 'Remove shop.example.com' }).click()
  await p.getByText('Any website can show your chat.').waitFor()
  const settings = await h.api('GET', '/api/v1/settings', undefined, token)
  assert.deepEqual(settings.allowed_domains, [])
  await ctx.close()
})

test('desktop notifications: asked for in the page, shown for new chats in a background tab, a click opens the chat, and they turn off', { timeout: 90000 }, async () => {
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  // Record each notification the page creates (the browser shows none headless).
  await ctx.addInitScript(() => {
    const Real = window.Notification
    window.__shown = []
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options)
        window.__shown.push({ title, tag: options?.tag, n: this })
      }
    }
  })
  const p = await login(ctx)
  const prompt = p.getByRole('region', { name: 'Get desktop notifications for new chats' })
  await prompt.waitFor()
  await shoot(p, 'desktop-prompt')
  // The banner pushes the inbox down without pushing its composer out of the window.
  const c0 = await h.visitor(widgetKey, { name: 'Banner Check' })
  await c0.send('Checking the layout under the banner')
  await p.goto(`${h.base}/inbox/${c0.conversationId}`)
  await prompt.waitFor()
  const composer = await p.locator('.composer').boundingBox()
  assert.ok(composer && composer.y + composer.height <= 800, `the composer stays in the window: ${JSON.stringify(composer)}`)
  await shoot(p, 'desktop-prompt-conversation')
  assert.equal(await p.evaluate(() => Notification.permission), 'default', 'nothing was asked on load')
  await ctx.grantPermissions(['notifications'], { origin: h.base })
  await prompt.getByRole('button', { name: 'Turn on' }).click()
  await prompt.waitFor({ state: 'detached' })
  const toggle = p.getByRole('button', { name: 'Desktop notifications on' })
  await toggle.waitFor()

  // The tab goes to the background.
  const setHidden = (hidden) =>
    p.evaluate((hidden) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
      document.dispatchEvent(new Event('visibilitychange'))
    }, hidden)
  await setHidden(true)
  const v = await h.visitor(widgetKey, { name: 'Nora Night' })
  await v.send('Is anyone there? I need help with my order.')
  const shown = await until(async () => {
    const s = await p.evaluate(() => window.__shown.map((x) => ({ title: x.title, tag: x.tag })))
    return s.length ? s : null
  }, 'a desktop notification')
  assert.deepEqual(shown, [{ title: 'New chat from Nora Night', tag: `parley-${v.conversationId}` }])

  // Clicking it opens that conversation.
  await setHidden(false)
  await p.evaluate(() => window.__shown[0].n.onclick())
  await p.waitForURL(new RegExp(`/inbox/${v.conversationId}$`))
  await p.locator('#conv-title').filter({ hasText: 'Nora Night' }).waitFor()

  // Turned off, a background tab stays quiet.
  await p.goto(h.base + '/inbox')
  await toggle.click()
  await p.getByRole('button', { name: 'Desktop notifications off' }).waitFor()
  await setHidden(true)
  const w = await h.visitor(widgetKey, { name: 'Quiet Quinn' })
  await w.send('Hello from a quiet tab')
  await p.locator('.conv-item').filter({ hasText: 'Quiet Quinn' }).waitFor({ timeout: 15000 })
  assert.equal(await p.evaluate(() => window.__shown.length), 0, 'no notification once turned off (the page was reloaded)')
  await ctx.close()
})

test('after hours: one honest answer, no place in a queue, and the follow-up label in the inbox filter once the visitor leaves an email', { timeout: 60000 }, async () => {
  const bot = await h.api('GET', '/api/v1/bot', undefined, token)
  await h.api('PUT', '/api/v1/bot', { ...bot, enabled: true, skills: ['after_hours'], after_hours: { message: 'Thanks for writing! We are closed right now.' } }, token)
  await h.api('PATCH', '/api/v1/settings', { business_hours: { enabled: true, timezone: 'UTC', weekly: {}, holidays: [] } }, token)
  try {
    const v = await h.visitor(widgetKey, { name: 'Late Larry' })
    await v.send('I want to talk to a person')
    const answer = await until(async () => (await v.messages()).find((m) => m.author.type === 'bot'), 'the bot to answer')
    assert.match(answer.body, /away/)
    assert.match(answer.body, /email/)
    await v.send('larry@example.com')
    await until(async () => (await v.messages()).filter((m) => m.author.type === 'bot').length === 2, 'the thanks')
    const bodies = (await v.messages()).map((m) => m.body)
    assert.equal(bodies.length, 4, `one answer, not two: ${JSON.stringify(bodies)}`)

    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
    const p = await login(ctx)
    await p.getByRole('button', { name: 'All' }).click()
    await p.getByLabel('Label').selectOption('follow-up')
    const item = p.locator('.conv-item').filter({ hasText: 'Late Larry' })
    await item.waitFor()
    await until(async () => (await p.locator('.conv-item').count()) === 1, 'only the follow-up conversation')
    await item.getByText('follow-up').waitFor()
    await shoot(p, 'follow-up-filter')
    await p.getByLabel('Label').selectOption('')
    await ctx.close()
  } finally {
    await h.api('PUT', '/api/v1/bot', { ...bot, enabled: false }, token)
    await h.api('PATCH', '/api/v1/settings', { business_hours: { enabled: false, timezone: 'UTC', weekly: {}, holidays: [] } }, token)
  }
})
