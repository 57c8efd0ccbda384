// Issue 11 in Chromium, host page and Parley on different sites (shop.test
// and parley.test, see harness.mjs): from the panel's menu the visitor
// downloads their data (parley-my-data.json: the conversation's text, not
// the team's private notes) and deletes their conversations; then the host
// page holds no token, the old token is refused, the agent API answers 404
// for the conversation, and after a reload the visitor is a new one with no
// history.
// Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Harness, launcher, newPage, openPanel, randomUUID, until, send, stored } from './harness.mjs'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
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

/** status is what the server answers this request, without throwing. */
async function status(method, path, token) {
  const r = await fetch(h.base + path, { method, headers: { Authorization: 'Bearer ' + token } })
  return r.status
}

/**
 * answered waits for the panel's call of method path and fails with the
 * server's exact answer when it is not 200, rather than with a timeout.
 */
async function answered(page, method, path, act) {
  const res = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path, { timeout: 30000 })
  await act()
  const r = await res
  if (r.status() !== 200) assert.fail(`${method} ${path} → ${r.status()} ${await r.text()}`)
}

const conversations = async () => (await h.api('GET', '/api/v1/conversations', undefined, acme.token)).conversations || []

test('the visitor downloads their data and deletes their conversations from the widget', { timeout: 180000 }, async () => {
  const ctx = await h.browser.newContext({ acceptDownloads: true })
  const page = await newPage(ctx)
  await page.goto(h.pageURL(acme.key))
  let f = await openPanel(page)
  const menu = f.locator('header button[aria-controls=mn]')
  assert.equal(await menu.count(), 0, 'no menu before the visitor has a conversation')

  await send(f, 'Where is my order #4417? It was a pair of Ridgeline 3.')
  const conv = await until(async () => (await conversations())[0], 'the conversation')
  await h.api('POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'It ships tomorrow from our Lyon warehouse.', client_msg_id: randomUUID() }, acme.token)
  await h.api('POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'Internal: customer asked twice, be quick.', private: true, client_msg_id: randomUUID() }, acme.token)
  await stored(f, 'It ships tomorrow').waitFor({ timeout: 15000 })
  const saved = JSON.parse(await until(() => hostSaved(page), 'the token on the host page'))

  // axe-core (WCAG 2.x A/AA) in the panel's frame.
  const inner = page.frames().find((x) => x !== page.mainFrame())
  const axe = async (where) => {
    await inner.evaluate(axeSource)
    const r = await inner.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
    assert.deepEqual(r.violations.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [])
  }
  const focused = (fn) => inner.evaluate(fn)

  // The menu, by keyboard: Enter opens it on its item; Escape closes the menu, not the panel.
  await menu.focus()
  await page.keyboard.press('Enter')
  await until(() => focused(() => document.activeElement?.textContent === 'Your data'), 'focus on the menu item')
  await axe('menu')
  await page.keyboard.press('Escape')
  await until(() => focused(() => document.activeElement?.getAttribute('aria-controls') === 'mn' && document.getElementById('mn').hidden), 'the menu closed, focus on its button')
  assert.equal(await page.locator('[data-parley] iframe').isVisible(), true, 'the panel stays open')

  // The menu → Your data → Download my data.
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  await f.locator('main h2', { hasText: 'Your data' }).waitFor()
  const saving = page.waitForEvent('download', { timeout: 30000 })
  saving.catch(() => {}) // awaited below; a failed export fails the test first, with the server's answer
  await answered(page, 'GET', '/api/v1/widget/visitor/export', () => f.locator('main button', { hasText: 'Download my data' }).click())
  const download = await saving
  assert.equal(download.suggestedFilename(), 'parley-my-data.json')
  const text = await readFile(await download.path(), 'utf8')
  const data = JSON.parse(text)
  assert.ok(data && typeof data === 'object', 'the file is a JSON object')
  assert.ok(text.includes('Where is my order #4417?'), `the visitor's message is in the file: ${text.slice(0, 500)}`)
  assert.ok(text.includes('It ships tomorrow from our Lyon warehouse.'), "the agent's answer is in the file")
  assert.ok(!text.includes('Internal: customer asked twice'), 'no private note in the visitor’s own export')
  await f.locator('main [role=status]', { hasText: 'Saved as parley-my-data.json.' }).waitFor()

  // Delete my conversations: a confirm step that says it cannot be undone.
  await f.locator('main button', { hasText: 'Delete my conversations' }).click()
  await f.locator('#cfq', { hasText: 'cannot be undone' }).waitFor()
  await until(() => focused(() => document.activeElement?.id === 'cfq'), 'focus on the question')
  await axe('confirm, light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await until(() => focused(() => document.documentElement.dataset.theme === 'dark'), 'dark theme')
  await axe('confirm, dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await answered(page, 'DELETE', '/api/v1/widget/visitor', () => f.locator('main button', { hasText: 'Delete them' }).click())
  await f.locator('main h2', { hasText: 'Your conversations were deleted' }).waitFor({ timeout: 20000 })
  await f.locator('main button', { hasText: 'Start a new conversation' }).waitFor()
  assert.equal(await menu.count(), 0, 'no menu: nothing left to show')

  // Forgotten as after Parley('reset'): the host page holds nothing and the old token is refused.
  assert.equal(await until(async () => (await hostSaved(page)) === null, 'the host page storage cleared'), true)
  await until(async () => (await status('GET', '/api/v1/widget/conversations', saved.token)) === 401, 'the old token refused')
  // The conversation is gone for the team too.
  assert.equal(await status('GET', `/api/v1/conversations/${conv.id}`, acme.token), 404)
  assert.deepEqual(await conversations(), [])

  // After a reload the visitor is new: nothing to load before a click, no history.
  await page.reload()
  await launcher(page).waitFor()
  assert.equal(await page.locator('[data-parley] iframe').count(), 0, 'no stored visitor to load the panel for')
  f = await openPanel(page)
  assert.equal(await f.locator('.log .b').count(), 0, 'the new visitor sees no history')
  await send(f, 'Hello again, a new question.')
  const fresh = JSON.parse(await until(() => hostSaved(page), 'the new token on the host page'))
  assert.notEqual(fresh.visitor, saved.visitor, 'a new visitor')
  const now = await until(async () => {
    const l = await conversations()
    return l.length === 1 && l
  }, 'the new conversation')
  assert.notEqual(now[0].id, conv.id)
  assert.deepEqual(page.dialogs, [])
  await ctx.close()
})

test('"Start a new conversation" after the delete opens an empty chat', { timeout: 120000 }, async () => {
  const ctx = await h.browser.newContext()
  const page = await newPage(ctx)
  await page.goto(h.pageURL(acme.key, { path: '/other' }))
  const f = await openPanel(page)
  await send(f, 'Please forget me after this.')
  await f.locator('header button[aria-controls=mn]').click()
  await f.locator('#mn button', { hasText: 'Your data' }).click()
  await f.locator('main button', { hasText: 'Delete my conversations' }).click()
  await answered(page, 'DELETE', '/api/v1/widget/visitor', () => f.locator('main button', { hasText: 'Delete them' }).click())
  await f.locator('main button', { hasText: 'Start a new conversation' }).click()
  await f.locator('form.cmp textarea').waitFor({ state: 'visible' })
  assert.equal(await f.locator('.log .b').count(), 0)
  await send(f, 'A fresh start.')
  await until(async () => (await hostSaved(page)) !== null, 'the new visitor stored')
  await ctx.close()
})
