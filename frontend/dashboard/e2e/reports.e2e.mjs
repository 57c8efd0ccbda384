// Issue 12's journey in Chromium, the widget on a page of another site
// (shop.test): a visitor writes through the widget, the owner answers and
// resolves in the inbox, the visitor rates 4 with a comment in the widget;
// the inbox shows the rating; the Reports page shows CSAT 4.0 from one
// response, the comment, first response and resolution figures; "Download
// CSV" gives the distribution's rows; axe finds no serious or critical
// violation there. Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
let token, widgetKey, ctx, p

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', { business_name: 'Northwind Bikes', ...owner })
  token = s.access_token
  widgetKey = s.tenant.widget_key
  await h.api('PATCH', '/api/v1/settings', { survey: { enabled: true, scale: 'five' } }, token)
  ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  p = await h.newPage(ctx)
  await p.goto(h.base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.waitForURL(/\/(inbox|getting-started)$/)
})

after(async () => {
  if (p?.problems?.length) console.log('# console problems:', p.problems)
  await h.stop()
})

test('resolve in the inbox, rate 4 in the widget, see CSAT 4.0 and the comment on Reports, download the CSV', { timeout: 180000 }, async () => {
  // The visitor writes from the shop's site.
  const vctx = await h.browser.newContext()
  const v = await h.newPage(vctx)
  await v.goto(h.publish(`<script async src="${h.base}/widget/${widgetKey}.js"></script>`))
  await v.locator('[data-parley] button.lc').click()
  const f = v.frameLocator('[data-parley] iframe')
  const box = f.locator('form.cmp textarea')
  await box.waitFor({ timeout: 20000 })
  await box.fill('Can I swap my helmet for a size M?')
  await box.press('Enter')

  // The owner answers and resolves in the inbox.
  await p.getByRole('link', { name: 'Inbox' }).first().click()
  const item = p.locator('.conv-item').filter({ hasText: 'Can I swap my helmet' })
  await item.waitFor({ timeout: 15000 })
  await item.click()
  await p.locator('#composer-input').fill('Of course — bring it by any day.')
  await p.locator('#composer-input').press('Enter')
  await p.locator('.msg-out .msg-body').filter({ hasText: 'Of course' }).waitFor()
  await p.getByRole('button', { name: 'Resolve' }).click()

  // The visitor rates 4 with a comment.
  await f.locator('section.sv h2', { hasText: 'How did we do?' }).waitFor({ timeout: 15000 })
  await f.locator('section.sv button[aria-label="4 — happy"]').click()
  await f.getByLabel('Tell us more (optional)').fill('Quick and kind')
  await f.locator('form.svf button', { hasText: 'Send' }).click()
  await f.locator('section.sv [role=status]', { hasText: 'Thanks for your feedback!' }).waitFor({ timeout: 15000 })

  // The inbox shows the rating live, with its comment.
  const rating = p.locator('.conv-header .rating-detail[data-rating="4"]')
  await rating.waitFor({ timeout: 15000 })
  await rating.locator('summary').click()
  assert.equal(await rating.locator('.rating-comment').innerText(), 'Quick and kind')

  // Reports: the read model is kept by a consumer, so poll with reloads.
  await p.getByRole('link', { name: 'Reports' }).click()
  await p.getByRole('heading', { name: 'Reports', level: 1 }).waitFor()
  const csat = p.locator('section[data-kpi=csat]')
  await until(async () => {
    if ((await csat.locator('.kpi-value').count()) && (await csat.locator('.kpi-value').innerText()) === '4.0') return true
    await p.reload()
    await p.getByRole('heading', { name: 'Reports', level: 1 }).waitFor()
    await p.locator('section[data-kpi], .empty').first().waitFor({ timeout: 15000 })
    return false
  }, 'CSAT 4.0 on the Reports page')
  assert.equal(await csat.locator('.kpi-extra').innerText(), '1 responses')
  assert.match(new URL(p.url()).search, /^\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/, 'the period is in the URL')
  await p.locator('.report-comments li', { hasText: 'Quick and kind' }).waitFor()
  for (const kpi of ['first-response', 'resolution']) {
    assert.match(await p.locator(`section[data-kpi=${kpi}] .kpi-value`).innerText(), /^\d+ (s|min)/, `${kpi} has a median`)
    assert.match(await p.locator(`section[data-kpi=${kpi}] .kpi-extra`).innerText(), /^90th percentile \d+ (s|min)/)
  }
  assert.equal(await p.locator('section[data-kpi=new] .kpi-value').innerText(), '1')
  assert.equal(await p.locator('section[data-kpi=resolutions] .kpi-value').innerText(), '1')

  // The hint gives the definition.
  const info = p.getByRole('button', { name: 'What First response time means' })
  await info.click()
  await p.locator('section[data-kpi=first-response] .kpi-hint', { hasText: 'reaches the team to the first public message by a person' }).waitFor()

  // The distribution's CSV.
  const card = p.locator('section.report-chart', { has: p.getByRole('heading', { name: 'CSAT distribution' }) })
  const [download] = await Promise.all([p.waitForEvent('download'), card.getByRole('button', { name: 'Download CSV' }).click()])
  assert.match(download.suggestedFilename(), /^csat_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/)
  assert.equal(await readFile(await download.path(), 'utf8'), 'Score,Ratings\r\n1,0\r\n2,0\r\n3,0\r\n4,1\r\n5,0\r\n')

  assert.deepEqual(await axe(p), [], 'no serious or critical axe violations on Reports')
  assert.deepEqual(p.problems.filter((x) => /Content Security Policy|Refused to|pageerror/.test(x)), [])
  assert.deepEqual(p.badResponses, [], 'no malformed API requests')
  await vctx.close()
})
