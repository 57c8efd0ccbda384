// Issue 12 in Chromium, host page and Parley on different sites (shop.test
// and parley.test, see harness.mjs): an agent resolves through the REST API
// and "How did we do?" appears in the open panel, live; the visitor picks 4,
// writes a comment and sends; the team sees the rating; a reload shows the
// thanks, not the prompt; the thumbs scale; no card with the survey off;
// axe finds nothing in the card, light and dark. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Harness, frame, launcher, newPage, openPanel, until, send } from './harness.mjs'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const h = new Harness()

before(async () => {
  await h.start()
})

after(async () => {
  await h.stop()
})

/** chat signs a tenant up with the survey as given, and starts a visitor's conversation in a fresh browser. */
async function chat(name, survey, text) {
  const t = await h.signup(name)
  await h.api('PATCH', '/api/v1/settings', { survey }, t.token)
  const ctx = await h.browser.newContext()
  const page = await newPage(ctx)
  await page.goto(h.pageURL(t.key))
  const f = await openPanel(page)
  await send(f, text)
  const conv = await until(async () => ((await h.api('GET', '/api/v1/conversations', undefined, t.token)).conversations || [])[0], 'the conversation')
  return { t, ctx, page, f, conv }
}

const resolve = (t, conv) => h.api('PATCH', `/api/v1/conversations/${conv.id}`, { status: 'resolved' }, t.token)
const scaleButtons = (f) => f.locator('section.sv [role=group] button')

test('the visitor rates a resolved conversation 4 with a comment; the team sees it; a reload thanks', { timeout: 180000 }, async () => {
  const { t, ctx, page, f, conv } = await chat('Acme Outdoor', { enabled: true, scale: 'five' }, 'Can I swap my Ridgeline 3 for a size 44?')
  assert.equal(await f.locator('section.sv').count(), 0, 'no card before the conversation is resolved')

  await resolve(t, conv)
  await f.locator('section.sv h2', { hasText: 'How did we do?' }).waitFor({ timeout: 15000 })
  assert.deepEqual(await scaleButtons(f).evaluateAll((bs) => bs.map((b) => [b.getAttribute('aria-label'), b.getAttribute('aria-pressed')])), [
    ['1 — very unhappy', 'false'],
    ['2 — unhappy', 'false'],
    ['3 — neutral', 'false'],
    ['4 — happy', 'false'],
    ['5 — very happy', 'false'],
  ])

  // axe-core (WCAG 2.x A/AA) in the panel's frame, on the card with its comment box.
  const inner = page.frames().find((x) => x !== page.mainFrame())
  const axe = async (where) => {
    await inner.evaluate(axeSource)
    const r = await inner.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
    assert.deepEqual(r.violations.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [])
  }

  // By keyboard: Tab to the fourth face, Space picks it, and focus stays on it.
  await scaleButtons(f).nth(3).focus()
  await page.keyboard.press('Space')
  await f.locator('section.sv button[aria-pressed=true][aria-label="4 — happy"]').waitFor()
  assert.equal(await inner.evaluate(() => document.activeElement?.getAttribute('aria-label')), '4 — happy')
  const comment = f.getByLabel('Tell us more (optional)')
  await comment.waitFor()
  await axe('card, light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await until(() => inner.evaluate(() => document.documentElement.dataset.theme === 'dark'), 'dark theme')
  await axe('card, dark')
  await page.emulateMedia({ colorScheme: 'light' })

  await comment.fill('Quick swap, thank you!')
  await f.locator('form.svf button', { hasText: 'Send' }).click()
  await f.locator('section.sv [role=status]', { hasText: 'Thanks for your feedback!' }).waitFor({ timeout: 15000 })
  await f.locator('section.sv', { hasText: 'Your rating: 4 — happy' }).waitFor()
  await until(() => inner.evaluate(() => document.activeElement?.textContent === 'Thanks for your feedback!'), 'focus on the thanks')
  await axe('thanks')

  const seen = await h.api('GET', `/api/v1/conversations/${conv.id}`, undefined, t.token)
  assert.equal(seen.rating?.score, 4)
  assert.equal(seen.rating?.comment, 'Quick swap, thank you!')
  assert.equal(seen.rating?.scale, 'five')
  assert.equal(seen.rating?.resolution, 1)
  assert.equal(seen.survey, undefined)

  // A reload: the thanks and the rating, no prompt.
  await page.reload()
  await launcher(page).click()
  const again = frame(page)
  await again.locator('section.sv', { hasText: 'Your rating: 4 — happy' }).waitFor({ timeout: 20000 })
  assert.equal(await again.locator('section.sv [role=group]').count(), 0)

  // Reopened by a reply and resolved again: a new prompt for the new resolution.
  await send(again, 'One more thing: can I keep the box?')
  await until(async () => (await h.api('GET', `/api/v1/conversations/${conv.id}`, undefined, t.token)).status === 'open', 'the conversation reopened')
  await again.locator('section.sv').waitFor({ state: 'detached', timeout: 15000 })
  await resolve(t, conv)
  await scaleButtons(again).first().waitFor({ timeout: 15000 })
  assert.equal(await scaleButtons(again).count(), 5)
  await ctx.close()
})

test('the thumbs scale sends thumbs up as 5', { timeout: 120000 }, async () => {
  const { t, ctx, f, conv } = await chat('Thumbs Bikes', { enabled: true, scale: 'thumbs' }, 'Do you fit tubeless tyres?')
  await resolve(t, conv)
  await scaleButtons(f).first().waitFor({ timeout: 15000 })
  assert.deepEqual(await scaleButtons(f).evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), ['Thumbs down — unhappy', 'Thumbs up — happy'])
  await f.locator('section.sv button[aria-label="Thumbs up — happy"]').click()
  await f.locator('form.svf button', { hasText: 'Send' }).click()
  await f.locator('section.sv', { hasText: 'Your rating: Thumbs up — happy' }).waitFor({ timeout: 15000 })
  const seen = await h.api('GET', `/api/v1/conversations/${conv.id}`, undefined, t.token)
  assert.deepEqual([seen.rating?.score, seen.rating?.scale, seen.rating?.comment], [5, 'thumbs', undefined])
  await ctx.close()
})

test('with the survey off, a resolved conversation asks nothing', { timeout: 120000 }, async () => {
  const { t, ctx, f, conv } = await chat('Quiet Kayaks', { enabled: false, scale: 'five' }, 'Are you open on Sunday?')
  await resolve(t, conv)
  await f.locator('.note', { hasText: 'This conversation is closed' }).waitFor({ timeout: 15000 })
  assert.equal(await f.locator('section.sv').count(), 0)
  const seen = await h.api('GET', `/api/v1/conversations/${conv.id}`, undefined, t.token)
  assert.equal(seen.survey, undefined)
  await ctx.close()
})
