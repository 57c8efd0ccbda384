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
  await p.screenshot({ path: process.env.DEFECTS_SCREENSHOT || '/dev/null' })
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
  await p.screenshot({ path: process.env.DEFECTS_SCREENSHOT ? process.env.DEFECTS_SCREENSHOT.replace('.png', '-menu.png') : '/dev/null' })
  await p.keyboard.press('Escape')
  const link = p.locator('.msg-body a').first()
  assert.equal(await link.getAttribute('href'), 'https://northwind.example/bikes/trail-x')
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow')
  assert.equal(await link.getAttribute('target'), '_blank')
  await ctx.close()
})
