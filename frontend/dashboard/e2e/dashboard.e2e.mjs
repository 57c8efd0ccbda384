// Browser journeys of issue 5 (the dashboard) against a real Parley, with
// the widget snippet on a page served from another origin. Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
const agent = { name: 'Sam Rivera', email: `sam-${randomUUID().slice(0, 8)}@northwind.example`, password: 'another long passphrase' }
let ownerCtx, ownerPage, visitorCtx, visitorPage, agentCtx, agentPage
let snippet, siteURL, convId

before(async () => {
  await h.start()
})

after(async () => {
  for (const p of [ownerPage, agentPage]) if (p?.problems?.length) console.log('# console problems:', p.problems)
  await h.stop()
})

const launcher = (page) => page.locator('[data-parley] button.lc')
const frame = (page) => page.frameLocator('[data-parley] iframe')
const visitorSees = (page, text) => frame(page).locator('.log .m .b').filter({ hasText: text }).first()

async function visitorSend(text) {
  const f = frame(visitorPage)
  const box = f.locator('form.cmp textarea')
  await box.fill(text)
  await box.press('Enter')
  await f.locator('.log .m:not(.p) .b').filter({ hasText: text }).first().waitFor({ timeout: 15000 })
}

async function visitorReceives(text) {
  await visitorSees(visitorPage, text).waitFor({ timeout: 15000 })
}

async function visitorTranscript() {
  return frame(visitorPage).locator('.log').innerText()
}

function noProblems(page) {
  assert.deepEqual(page.problems.filter((p) => /Content Security Policy|Refused to/.test(p)), [], 'no CSP violations')
  assert.deepEqual(page.problems.filter((p) => /pageerror/.test(p)), [], 'no uncaught errors')
  assert.deepEqual(page.badResponses, [], 'no malformed API requests')
}

test('sign up → copy the snippet → the visitor writes from another site → live in the inbox → canned reply reaches the visitor', { timeout: 90000 }, async () => {
  ownerCtx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  await ownerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base })
  ownerPage = await h.newPage(ownerCtx)
  const p = ownerPage
  await p.goto(h.base + '/')
  await p.waitForURL(/\/login/)
  await p.getByRole('link', { name: 'Create a workspace' }).click()
  await p.getByLabel('Business name').fill('Northwind Bikes')
  await p.getByLabel('Your name').fill(owner.name)
  await p.getByLabel('Work email').fill(owner.email)
  // A too-short password: the API's field error appears next to the field.
  await p.getByLabel('Password').fill('short')
  await p.getByRole('button', { name: 'Create workspace' }).click()
  await p.locator('.field-invalid .field-error').filter({ hasText: /password/i }).waitFor()
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Create workspace' }).click()
  await p.waitForURL(/\/getting-started$/)
  await p.getByRole('heading', { name: 'Getting started' }).waitFor()

  // Nothing secret in storage the page can read.
  const storage = await p.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }))
  assert.equal(storage.cookie, '', 'the refresh cookie is httpOnly')
  assert.ok(!JSON.stringify(storage).match(/eyJ|refresh/i), 'no tokens in web storage: ' + JSON.stringify(storage))

  await p.getByRole('button', { name: 'Copy snippet' }).click()
  snippet = await p.evaluate(() => navigator.clipboard.readText())
  assert.match(snippet, /^<script async src="http:\/\/127\.0\.0\.1:\d+\/widget\/[^"]+\.js"><\/script>$/)

  // A saved reply, created through the settings UI.
  await p.getByRole('link', { name: 'Settings' }).click()
  await p.getByRole('link', { name: 'Saved replies' }).click()
  await p.getByLabel('Shortcut').fill('shipping')
  await p.getByLabel('Reply text').fill('Hi {name}! We ship to Canada in 3–5 business days, free over $50.')
  await p.getByRole('button', { name: 'Add saved reply' }).click()
  await p.locator('.canned-list').getByText('/shipping').waitFor()

  // The inbox is open before the visitor writes: the conversation must arrive live.
  await p.getByRole('link', { name: 'Inbox' }).first().click()
  await p.locator('.live-on').waitFor()

  visitorCtx = await h.browser.newContext()
  visitorPage = await h.newPage(visitorCtx)
  siteURL = h.publish(snippet)
  await visitorPage.goto(siteURL)
  await launcher(visitorPage).click()
  await frame(visitorPage).locator('form.cmp textarea').waitFor({ timeout: 20000 })
  await visitorSend('Hello! Do you ship to Canada?')

  const item = p.locator('.conv-item').filter({ hasText: 'Do you ship to Canada?' })
  await item.waitFor({ timeout: 15000 })
  assert.match(await item.innerText(), /\b1\b/, 'the unread count shows')
  await until(async () => /^\(1\) /.test(await p.title()), 'the unread count in the tab title')
  await item.click()
  convId = decodeURIComponent(new URL(p.url()).pathname.split('/').pop())
  await p.locator('.msg-in .msg-body').filter({ hasText: 'Do you ship to Canada?' }).waitFor()
  await until(async () => !/^\(\d+\)/.test(await p.title()), 'the tab title to drop the count once read')

  const composer = p.locator('#composer-input')
  await composer.click()
  await composer.pressSequentially('/shi')
  await p.getByRole('option', { name: /\/shipping/ }).waitFor()
  await composer.press('Enter')
  assert.match(await composer.inputValue(), /^Hi! We ship to Canada/)
  await composer.press('Enter')
  await p.locator('.msg-out .msg-body').filter({ hasText: 'We ship to Canada' }).waitFor()
  await visitorReceives('We ship to Canada in 3–5 business days')
  noProblems(p)
})

test('a private note is visibly different and never reaches the visitor', { timeout: 60000 }, async () => {
  const p = ownerPage
  await p.getByRole('radio', { name: /Private note/ }).click()
  assert.ok(await p.locator('.composer.composer-note').isVisible(), 'the composer turns into a note')
  await p.locator('#composer-input').fill('VIP customer — offer the free helmet')
  await p.locator('#composer-input').press('Enter')
  const note = p.locator('.msg-private').filter({ hasText: 'VIP customer' })
  await note.waitFor()
  assert.match(await note.innerText(), /Private note/i)
  await p.getByRole('radio', { name: 'Reply' }).click()
  await p.locator('#composer-input').fill('Anything else I can help with?')
  await p.locator('#composer-input').press('Enter')
  // Once a later public message has arrived, the note would have too.
  await visitorReceives('Anything else I can help with?')
  assert.ok(!(await visitorTranscript()).includes('VIP customer'), 'the note leaked to the visitor')
  // The agent can download the whole conversation.
  await p.locator('#conv-more > summary').click() // the toolbar's overflow menu
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download transcript' }).click()])
  assert.match(download.suggestedFilename(), /^conversation-.+\.txt$/)
  const text = readFileSync(await download.path(), 'utf8')
  assert.match(text, /Do you ship to Canada\?/)
  assert.match(text, /Anything else I can help with\?/)
  noProblems(p)
})

test('typing and read indicators reach the agent', { timeout: 45000 }, async () => {
  const p = ownerPage
  // The visitor has the panel open and in view, so the agent's last reply is read.
  await p.locator('.msg-seen').waitFor({ timeout: 15000 })
  await frame(visitorPage).locator('form.cmp textarea').pressSequentially('One more question', { delay: 20 })
  await p.locator('.messages .typing').filter({ hasText: /is typing/ }).waitFor({ timeout: 15000 })
  await p.locator('.conv-item .typing').first().waitFor() // the list shows it too
  await frame(visitorPage).locator('form.cmp textarea').fill('')
})

test('keyboard: shortcuts open, answer and resolve a conversation', { timeout: 45000 }, async () => {
  const p = ownerPage
  await p.goto(h.base + '/inbox')
  await p.locator('.conv-item').first().waitFor()
  await p.locator('body').press('j')
  await p.waitForURL(/\/inbox\/.+/)
  await p.locator('body').press('r')
  await until(() => p.evaluate(() => document.activeElement?.id === 'composer-input'), 'r to focus the composer')
  await p.keyboard.type('Thanks for waiting!')
  await p.keyboard.press('Enter')
  await p.locator('.msg-out .msg-body').filter({ hasText: 'Thanks for waiting!' }).waitFor()
  await p.keyboard.press('Escape')
  await p.locator('body').press('e')
  await p.locator('.conv-title .tag').filter({ hasText: 'Resolved' }).waitFor()
  await p.locator('body').press('e')
  await p.locator('.conv-title .tag').filter({ hasText: 'Open' }).waitFor()
  await p.locator('body').press('?')
  await p.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
  await p.keyboard.press('Escape')
  await until(async () => (await p.getByRole('dialog').count()) === 0, 'the help to close')
  noProblems(p)
})

test('"Send a test message" opens a preview page with the real widget', { timeout: 45000 }, async () => {
  const p = ownerPage
  await p.goto(h.base + '/getting-started')
  const [preview] = await Promise.all([ownerCtx.waitForEvent('page'), p.getByRole('button', { name: /Send a test message/ }).click()])
  await preview.waitForLoadState()
  assert.match(preview.url(), /\/preview\?key=/)
  const f = frame(preview)
  await f.locator('form.cmp textarea').waitFor({ timeout: 20000 })
  await f.locator('form.cmp textarea').fill('Testing from the preview page')
  await f.locator('form.cmp textarea').press('Enter')
  await p.goto(h.base + '/inbox')
  await p.getByRole('button', { name: 'All' }).click()
  await p.locator('.conv-item').filter({ hasText: 'Testing from the preview page' }).waitFor({ timeout: 15000 })
  await preview.close()
})

test('changing the widget colour shows on the widget', { timeout: 60000 }, async () => {
  const p = ownerPage
  await p.goto(h.base + '/settings/widget')
  const hex = p.getByLabel('Colour code')
  await hex.fill('#e11d48')
  await until(async () => (await p.getByTestId('widget-preview').evaluate((e) => e.style.getPropertyValue('--wc'))) === '#e11d48', 'the live preview colour')
  await p.getByLabel('Launcher text').fill('Chat with us')
  await p.getByRole('button', { name: 'Save changes' }).click()
  await p.getByText('Saved', { exact: true }).waitFor()
  const ctx = await h.browser.newContext()
  const page = await ctx.newPage()
  await until(async () => {
    await page.goto(siteURL)
    await launcher(page).waitFor()
    const bg = await launcher(page).evaluate((el) => getComputedStyle(el).backgroundColor)
    return bg === 'rgb(225, 29, 72)'
  }, 'the launcher to turn #e11d48', 30000, 500)
  assert.match(await launcher(page).innerText(), /Chat with us/)
  await ctx.close()
})

test('invite an agent → accept in a second browser → assigned → the agent answers', { timeout: 90000 }, async () => {
  const p = ownerPage
  await p.goto(h.base + '/settings/team')
  await p.getByLabel('Email address').fill(agent.email)
  await p.getByLabel('Role', { exact: true }).selectOption('agent')
  await p.getByRole('button', { name: 'Send invitation' }).click()
  const link = await p.getByTestId('invite-link').inputValue()
  assert.match(link, /\/accept-invite#.+/)
  await p.locator('.domain-list').getByText(agent.email).waitFor()

  agentCtx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  agentPage = await h.newPage(agentCtx)
  const a = agentPage
  await a.goto(link)
  await a.getByRole('heading', { name: /^Join .+ on Parley$/ }).waitFor()
  assert.match(await a.getByTestId('invite-details').innerText(), new RegExp(`${owner.name} invited ${agent.email} to join .+ as Agent`))
  assert.ok(!a.url().includes('#'), 'the token leaves the address bar')
  await a.getByLabel('Your name').fill(agent.name)
  await a.getByLabel('Password').fill(agent.password)
  await a.getByRole('button', { name: 'Join the team' }).click()
  await a.waitForURL(/\/inbox$/)
  await a.getByRole('button', { name: 'Mine' }).click()
  await a.locator('.live-on').waitFor()

  // The owner assigns the conversation to the new agent.
  await p.goto(`${h.base}/inbox/${encodeURIComponent(convId)}`)
  await p.locator('#conv-more > summary').click() // the toolbar's overflow menu
  const assign = p.getByLabel('Assign to')
  await assign.focus()
  await until(async () => (await assign.locator('option').allInnerTexts()).includes(agent.name), 'the new agent in the assignee list')
  await assign.selectOption({ label: agent.name })
  await p.getByText('Conversation updated').first().waitFor()

  // It appears in the agent's "Mine" list live, and the agent answers.
  const item = a.locator(`.conv-item[data-conversation-id="${convId}"]`)
  await item.waitFor({ timeout: 15000 })
  await item.click()
  await a.locator('#composer-input').fill("Hi, I'm Sam — I'll look after your order.")
  await a.locator('#composer-input').press('Enter')
  await visitorReceives("I'll look after your order")
  noProblems(a)
})

test('an agent cannot open admin settings', { timeout: 30000 }, async () => {
  const a = agentPage
  assert.equal(await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(), 0)
  await a.getByRole('link', { name: 'Your profile' }).waitFor()
  for (const section of ['widget', 'installation', 'team', 'canned', 'hours', 'routing']) {
    await a.goto(`${h.base}/settings/${section}`)
    await a.getByRole('heading', { name: 'Only owners and admins can change this' }).waitFor()
    assert.equal(await a.locator('form.settings-form, .table, #install-snippet').count(), 0, `no admin form on ${section}`)
  }
  await a.goto(`${h.base}/settings/profile`)
  await a.getByText(agent.email).waitFor()
})

test('billing: a self-hosted Parley says billing is off; agents are not shown billing', { timeout: 30000 }, async () => {
  await ownerPage.goto(`${h.base}/billing`)
  await ownerPage.getByRole('heading', { name: 'Billing is off' }).waitFor()
  await ownerPage.getByText('every feature is included').waitFor()
  assert.equal(await ownerPage.getByTestId('quota-banner').count(), 0)
  await agentPage.goto(`${h.base}/billing`)
  await agentPage.getByRole('heading', { name: 'Only owners and admins can see billing' }).waitFor()
})

test('phone-sized inbox collapses to list → conversation', { timeout: 45000 }, async () => {
  const ctx = await h.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const p = await h.newPage(ctx)
  await p.goto(h.base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.waitForURL(/\/inbox$/)
  await p.getByRole('button', { name: 'All' }).click()
  const item = p.locator('.conv-item').first()
  await item.waitFor()
  assert.ok(!(await p.locator('.conversation').isVisible()), 'only the list shows first')
  await item.click()
  await p.locator('#composer-input').waitFor()
  assert.ok(!(await p.locator('.inbox-list').isVisible()), 'the list hides behind the conversation')
  const width = await p.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 390, `no horizontal scrolling (${width}px)`)
  await p.getByRole('link', { name: 'Back to conversations' }).click()
  await p.locator('.inbox-list').waitFor()
  await ctx.close()
})

test('axe: no serious or critical violations on each main page', { timeout: 90000 }, async () => {
  const found = []
  const check = async (page, path, ready) => {
    await page.goto(h.base + path)
    await ready(page)
    for (const v of await axe(page)) found.push(`${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`)
  }
  const anon = await h.newPage(await h.browser.newContext())
  await check(anon, '/login', (pg) => pg.getByRole('button', { name: 'Log in' }).waitFor())
  await check(anon, '/signup', (pg) => pg.getByRole('button', { name: 'Create workspace' }).waitFor())
  await check(anon, '/accept-invite', (pg) => pg.getByRole('heading', { name: 'Join your team on Parley' }).waitFor())
  const p = ownerPage
  await check(p, '/getting-started', (pg) => pg.getByText(/of 4 done/).waitFor())
  await check(p, '/inbox', (pg) => pg.locator('.conv-item, .empty').first().waitFor())
  await check(p, `/inbox/${encodeURIComponent(convId)}`, (pg) => pg.locator('.msg').first().waitFor())
  for (const s of ['widget', 'installation', 'hours', 'team', 'canned', 'routing', 'profile']) {
    await check(p, `/settings/${s}`, (pg) => pg.locator('.settings-body .page-header h1').waitFor())
  }
  await check(p, '/bots', (pg) => pg.locator('.empty, .card').first().waitFor())
  await check(p, '/billing', (pg) => pg.locator('.empty, .card').first().waitFor())
  await check(agentPage, '/settings/widget', (pg) => pg.getByRole('heading', { name: 'Only owners and admins can change this' }).waitFor())
  assert.deepEqual(found, [])
  noProblems(p)
})

test('every dashboard response carries the security headers', async () => {
  for (const path of ['/', '/inbox', '/settings/widget', '/preview?key=x']) {
    const r = await fetch(h.base + path)
    const csp = r.headers.get('content-security-policy') || ''
    assert.match(csp, /frame-ancestors 'none'/, path)
    assert.match(csp, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/, path)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path)
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path)
    assert.equal(r.headers.get('x-frame-options'), 'DENY', path)
    assert.ok(r.headers.get('referrer-policy'), path)
  }
  const api = await fetch(h.base + '/api/v1/does-not-exist')
  assert.equal(api.status, 404)
  assert.match(api.headers.get('content-type') || '', /problem\+json/)
})
