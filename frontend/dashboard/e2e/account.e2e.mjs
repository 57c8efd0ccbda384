// Browser journeys of accounts by email (issue 10): "Forgot password?" →
// the emailed link → a new password that ends every session, and the
// profile's name, password and email changes. Run: npm run test:e2e.
//
// The links come from the events identity publishes for the notify service:
// this journey reads them from the JetStream store in Parley's data
// directory (no mail server is involved yet). With notify running, read them
// from the Mailpit inbox instead.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Rosa Reset', email: `rosa-${randomUUID().slice(0, 8)}@northwind.example`, password: 'the first passphrase' }
let pages = []

before(async () => {
  await h.start()
  await h.api('POST', '/api/v1/signup', { business_name: 'Northwind Bikes', name: owner.name, email: owner.email, password: owner.password })
})

after(async () => {
  for (const p of pages) if (p.problems.length) console.log('# console problems:', p.problems)
  await h.stop()
})

/** emailedLinks returns every link of page ("/reset-password") identity published, oldest first. */
function emailedLinks(page) {
  const files = []
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.blk')) files.push(path)
    }
  }
  walk(join(h.parley.tmp, 'data', 'nats'))
  const re = new RegExp(`"url":"(http[^"]*${page}#[^"]+)"`, 'g')
  return files.flatMap((f) => [...readFileSync(f, 'latin1').matchAll(re)].map((m) => m[1]))
}

async function newLink(page, known) {
  return until(() => emailedLinks(page).find((l) => !known.includes(l)), `a new ${page} link`)
}

async function newPage() {
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await h.newPage(ctx)
  pages.push(page)
  return page
}

async function logIn(page, email, password) {
  await page.goto(h.base + '/login')
  await page.getByLabel('Work email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(/\/inbox$/)
}

function noProblems(page) {
  assert.deepEqual(page.problems.filter((p) => /Content Security Policy|Refused to|pageerror/.test(p)), [], 'no CSP violations or uncaught errors')
  assert.deepEqual(page.badResponses, [], 'no malformed API requests')
}

test('forgot password → the emailed link → a new password; every other session ends', { timeout: 90000 }, async () => {
  const elsewhere = await newPage()
  await logIn(elsewhere, owner.email, owner.password)

  const p = await newPage()
  await p.goto(h.base + '/login')
  await p.getByRole('link', { name: 'Forgot password?' }).click()
  await p.waitForURL(/\/forgot-password$/)
  await p.getByRole('button', { name: 'Email me a reset link' }).waitFor()
  assert.deepEqual(await axe(p), [], 'axe on the forgot-password page')
  const before = emailedLinks('/reset-password')
  await p.getByLabel('Work email').fill(owner.email.toUpperCase())
  await p.getByRole('button', { name: 'Email me a reset link' }).click()
  await p.getByText(/a reset link is on its way/).waitFor()

  const link = await newLink('/reset-password', before)
  assert.ok(link.startsWith(h.base + '/reset-password#'), link)
  await p.goto(link)
  await p.getByRole('heading', { name: 'Choose a new password' }).waitFor()
  assert.ok(!p.url().includes('#'), 'the token leaves the address bar')
  assert.deepEqual(await axe(p), [], 'axe on the reset page')
  await p.getByLabel('New password').fill('short')
  await p.getByRole('button', { name: 'Set new password' }).click()
  await p.getByText('Password must be at least 10 characters').waitFor()
  await p.getByLabel('New password').fill('the second passphrase')
  await p.getByRole('button', { name: 'Set new password' }).click()
  await p.getByText(/every session was signed out/).waitFor()
  await p.getByRole('link', { name: 'Log in' }).click()
  await logIn(p, owner.email, 'the second passphrase')
  owner.password = 'the second passphrase'

  // The session that was open elsewhere has ended.
  await elsewhere.reload()
  await elsewhere.waitForURL(/\/login/)
  await elsewhere.getByRole('button', { name: 'Log in' }).waitFor()

  // The link worked once.
  const again = await newPage()
  await again.goto(link)
  await again.getByLabel('New password').fill('a third passphrase')
  await again.getByRole('button', { name: 'Set new password' }).click()
  await again.getByText(/already used/).waitFor()
  await again.getByRole('link', { name: 'Ask for a new link' }).waitFor()
  for (const pg of [p, elsewhere, again]) noProblems(pg)
})

test('profile: change your name, password and email', { timeout: 90000 }, async () => {
  const p = await newPage()
  await logIn(p, owner.email, owner.password)
  await p.goto(h.base + '/settings/profile')
  await p.getByRole('button', { name: 'Change password' }).waitFor()
  assert.deepEqual(await axe(p), [], 'axe on the profile')

  await p.getByLabel('Name', { exact: true }).fill('Rosa Renamed')
  await p.getByLabel('Language of your emails').selectOption('fr')
  await p.getByRole('button', { name: 'Save', exact: true }).click()
  await p.getByText('Your profile was saved.').waitFor()
  const me = async (token) => (await h.api('GET', '/api/v1/me', undefined, token)).user
  const login = (password) => h.api('POST', '/api/v1/auth/login', { email: owner.email, password })
  let u = await me((await login(owner.password)).access_token)
  assert.equal(u.name, 'Rosa Renamed')
  assert.equal(u.locale, 'fr')

  // A wrong current password is named; the right one changes it.
  const pw = p.getByRole('region', { name: 'Change your password' })
  await pw.getByLabel('Current password').fill('not the password')
  await pw.getByLabel('New password').fill('the third passphrase')
  await pw.getByRole('button', { name: 'Change password' }).click()
  await pw.getByText('The current password is not right').waitFor()
  await pw.getByLabel('Current password').fill(owner.password)
  await pw.getByRole('button', { name: 'Change password' }).click()
  await p.getByText('Your password was changed. Your other sessions were signed out.').waitFor()
  await assert.rejects(login(owner.password), /401/)
  owner.password = 'the third passphrase'
  await login(owner.password)

  // The email changes once the link sent to the new address is opened.
  const newEmail = `rosa-new-${randomUUID().slice(0, 8)}@northwind.example`
  const before = emailedLinks('/confirm-email')
  const em = p.getByRole('region', { name: 'Change your email' })
  await em.getByLabel('New email address').fill(newEmail)
  await em.getByLabel('Current password').fill(owner.password)
  await em.getByRole('button', { name: 'Send confirmation link' }).click()
  await em.getByText(`We sent a link to ${newEmail}.`, { exact: false }).waitFor()
  const link = await newLink('/confirm-email', before)
  await p.goto(link)
  await p.getByText(`Your email address is now ${newEmail}.`, { exact: false }).waitFor()
  await p.getByRole('link', { name: 'Continue to Parley' }).click()
  await p.getByTestId('profile-email').filter({ hasText: newEmail }).waitFor()
  await h.api('POST', '/api/v1/auth/login', { email: newEmail, password: owner.password })
  await assert.rejects(login(owner.password), /401/)

  // The notification toggle works when the notify service answers, and is
  // disabled with a hint while it does not.
  const toggle = p.getByRole('switch', { name: "Email me about new conversations while I'm away" })
  const notifyUp = await h.api('GET', '/api/v1/email/status').then(() => true, (e) => (e.status === 503 ? false : Promise.reject(e)))
  if (notifyUp) {
    const was = await toggle.isChecked()
    await toggle.click()
    await p.getByText('Notification settings saved.').waitFor()
    const { access_token } = await h.api('POST', '/api/v1/auth/login', { email: newEmail, password: owner.password })
    assert.equal((await h.api('GET', '/api/v1/me/notifications', undefined, access_token)).email_new_conversations, !was)
  } else {
    await p.getByText(/the email service is not answering/).waitFor()
    assert.ok(await toggle.isDisabled())
  }
  noProblems(p)
})
