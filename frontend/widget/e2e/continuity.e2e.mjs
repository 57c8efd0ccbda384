// Issue 10 in Chromium, host page and Parley on different sites
// (shop.test and parley.test, see harness.mjs): the thread survives a
// reload, a new tab and another page of the site; an answer while the panel
// is closed shows a badge and a preview; several conversations are listed;
// a deep link opens one; Parley('reset') gives a new anonymous visitor and
// the old token is refused by the server. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Harness, frame, launcher, newPage, openPanel, randomUUID, until, send, stored } from './harness.mjs'

const h = new Harness()
let acme

before(async () => {
  await h.start()
  acme = await h.signup('Acme Outdoor')
})

after(async () => {
  await h.stop()
})

const hostSaved = (page) => page.evaluate((k) => localStorage.getItem('parley:' + k), acme.key)

const agentSays = (conv, body) => h.api('POST', `/api/v1/conversations/${conv}/messages`, { body, client_msg_id: randomUUID() }, acme.token)

/** visitorStatus is what the server answers a visitor token now. */
async function visitorStatus(token) {
  const r = await fetch(h.base + '/api/v1/widget/conversations', { headers: { Authorization: 'Bearer ' + token } })
  return r.status
}

test('the thread survives reloads, new tabs and other pages; answers show on the closed launcher; reset forgets', { timeout: 180000 }, async () => {
  const ctx = await h.browser.newContext()
  const page = await newPage(ctx)
  await page.goto(h.pageURL(acme.key))
  await launcher(page).waitFor()
  // Nothing is stored or loaded before the visitor interacts.
  assert.equal(await hostSaved(page), null)
  assert.equal(await page.locator('[data-parley] iframe').count(), 0)

  let f = await openPanel(page)
  // Open, the launcher is a close button.
  await page.locator('[data-parley] button.lc[aria-expanded=true] i', { hasText: '×' }).waitFor()
  assert.equal(await hostSaved(page), null, 'opening alone stores nothing')
  await send(f, 'Where is my order #88?')
  const saved = JSON.parse(await until(() => hostSaved(page), 'the token in the host page storage'))
  assert.ok(saved.token && saved.visitor)
  // The token lives on the host page, not in the (third-party) frame.
  const inFrame = await page.frames().find((x) => x !== page.mainFrame()).evaluate((k) => {
    try {
      return localStorage.getItem(`parley:${k}:visitor`)
    } catch {
      return 'blocked'
    }
  }, acme.key)
  assert.ok(inFrame === null || inFrame === 'blocked', `the frame stored ${inFrame}`)
  const conv = await until(async () => ((await h.api('GET', '/api/v1/conversations', undefined, acme.token)).conversations || [])[0], 'the conversation')

  // Reload: same visitor, same thread.
  await page.reload()
  f = await openPanel(page)
  await stored(f, 'Where is my order #88?').waitFor()
  await launcher(page).click()

  // A new tab on another page of the site: the same thread.
  const tab = await newPage(ctx)
  await tab.goto(h.pageURL(acme.key, { path: '/other' }))
  const ft = await openPanel(tab)
  await stored(ft, 'Where is my order #88?').waitFor()
  await launcher(tab).click() // the × closes it
  await tab.locator('[data-parley] iframe').waitFor({ state: 'hidden' })

  // The agent answers while the panel is closed: badge and preview.
  await agentSays(conv.id, 'It left our warehouse this morning and arrives on Friday.')
  await tab.locator('[data-parley] .bd', { hasText: '1' }).waitFor({ timeout: 15000 })
  await tab.locator('[data-parley] .bb', { hasText: 'arrives on Friday' }).waitFor()
  // A page loaded afterwards knows it too, before any click (the panel loads hidden).
  const third = await newPage(ctx)
  await third.goto(h.pageURL(acme.key, { path: '/other' }))
  await third.locator('[data-parley] .bd', { hasText: '1' }).waitFor({ timeout: 15000 })
  await third.close()

  // Opening it shows the answer at the bottom, in view.
  await tab.locator('[data-parley] .bb').click()
  await stored(ft, 'arrives on Friday').waitFor()
  for (let i = 0; i < 12; i++) await agentSays(conv.id, `Tracking update ${i + 1}: the parcel is moving.`)
  await stored(ft, 'Tracking update 12').waitFor({ timeout: 15000 })
  await until(() => ft.locator('main').evaluate((m) => m.scrollHeight > m.clientHeight + 100 && m.scrollHeight - m.scrollTop - m.clientHeight < 2), 'the newest message in view')
  await tab.close()

  // A second conversation: the list, and a new one.
  await page.reload()
  f = await openPanel(page)
  await f.locator('button.back').click()
  await f.locator('button.primary', { hasText: 'New conversation' }).click()
  await send(f, 'Another question: do you sell gift cards?')
  await until(async () => ((await h.api('GET', '/api/v1/conversations', undefined, acme.token)).conversations || []).length === 2, 'two conversations')
  await page.reload()
  await launcher(page).click()
  f = frame(page)
  await f.locator('.convs li').nth(1).waitFor({ timeout: 15000 })
  assert.equal(await f.locator('.convs li').count(), 2)
  await f.locator('.convs .cv', { hasText: 'gift cards' }).locator('time').waitFor()
  await f.locator('.convs .cv', { hasText: 'Tracking update 12' }).click()
  await stored(f, 'Where is my order #88?').waitFor()

  // A deep link (as in Parley's emails) opens its conversation.
  const deep = await newPage(ctx)
  await deep.goto(h.pageURL(acme.key, { path: '/other', hash: '#parley-conversation=' + conv.id }))
  const fd = frame(deep)
  await stored(fd, 'Where is my order #88?').waitFor({ timeout: 15000 })
  await deep.close()

  // Parley('reset'): a new anonymous visitor, and the old token is refused.
  // Another tab, its panel loaded (hidden) with the history, is reset too.
  const sibling = await newPage(ctx)
  await sibling.goto(h.pageURL(acme.key, { path: '/other' }))
  await frame(sibling).locator('.convs li').first().waitFor({ state: 'attached', timeout: 15000 })
  const before = JSON.parse(await hostSaved(page))
  assert.equal(await visitorStatus(before.token), 200)
  await page.evaluate(() => window.Parley('reset'))
  await until(async () => (await visitorStatus(before.token)) === 401, 'the old token refused by the server')
  assert.equal(await hostSaved(page), null)
  await f.locator('form.cmp textarea').waitFor({ state: 'visible' })
  assert.equal(await f.locator('.log .b').count(), 0, 'the new visitor sees no history')
  await launcher(sibling).click()
  await until(async () => (await frame(sibling).locator('.convs li, .log .b').count()) === 0 && (await frame(sibling).locator('form.cmp textarea').isVisible()), 'the other tab reset too')
  await sibling.close()
  await page.reload()
  await launcher(page).waitFor()
  assert.equal(await page.locator('[data-parley] iframe').count(), 0, 'nothing left to load after a reset')
  assert.deepEqual(page.dialogs, [])
  await ctx.close()
})

test('with two agents online the header avatars sit side by side and the header keeps one line', { timeout: 60000 }, async () => {
  const inv = await h.api('POST', '/api/v1/invites', { email: `bea-${randomUUID().slice(0, 8)}@example.com`, role: 'agent' }, acme.token)
  const bea = await h.api('POST', `/api/v1/invites/${inv.token}/accept`, { name: 'Beatrice Longname-Fairweather', password: 'another good one' })
  const sockets = [acme.token, bea.access_token].map((t) => new WebSocket(`${h.base.replace('http', 'ws')}/api/v1/ws?access_token=${encodeURIComponent(t)}`))
  try {
    const ctx = await h.browser.newContext()
    const page = await newPage(ctx)
    await page.goto(h.pageURL(acme.key))
    const f = await openPanel(page)
    await until(async () => (await f.locator('.hd .av span').count()) === 2, 'two agents in the header', 20000)
    const boxes = await f.locator('.hd .av span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))
    assert.ok(boxes[0].right <= boxes[1].left, `avatars overlap: ${JSON.stringify(boxes)}`)
    const lines = await f.locator('.hd').evaluate((hd) => [...hd.querySelectorAll('h1, p')].map((e) => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))))
    assert.deepEqual(lines, [1, 1], 'the title and the agents line each take one line')
    await ctx.close()
  } finally {
    sockets.forEach((s) => s.close())
  }
})

test('third-party storage blocked (Safari, or Chrome set so): a reload still shows the thread', { timeout: 60000 }, async () => {
  const ctx = await h.strictBrowser()
  try {
    const page = await newPage(ctx)
    await page.goto(h.pageURL(acme.key))
    let f = await openPanel(page)
    const blocked = await page.frames().find((x) => x !== page.mainFrame()).evaluate(() => {
      try {
        localStorage.getItem('x')
        return false
      } catch {
        return true
      }
    })
    assert.ok(blocked, 'the frame has no storage in this browser')
    await send(f, 'Do you have the Ridgeline 3 in size 44?')
    await page.reload()
    f = await openPanel(page)
    await stored(f, 'Ridgeline 3 in size 44').waitFor()
  } finally {
    await ctx.dispose()
  }
})
