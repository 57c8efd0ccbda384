// Browser journeys of accounts by email (issue 10), with a real SMTP server
// (Mailpit) behind Parley's notify service: an invitation arrives by email
// and is accepted; "Forgot password?" → the emailed link → a new password
// that ends every session; and the profile's name, password and email
// changes (the new address confirmed by an emailed link). Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Rosa Reset', email: `rosa-${randomUUID().slice(0, 8)}@northwind.example`, password: 'the first passphrase' }
let pages = []

before(async () => {
  await h.start({ mail: true })
  await h.api('POST', '/api/v1/signup', { business_name: 'Northwind Bikes', name: owner.name, email: owner.email, password: owner.password })
})

after(async () => {
  for (const p of pages) if (p.problems.length) console.log('# console problems:', p.problems)
  await h.stop()
})

/** mailCount is how many emails reached address so far. */
const mailCount = async (address) => (await h.parley.mail.to(address)).length

/** newLink waits for the email after the first `known` ones to address and returns its link to path ("/reset-password"). */
async function newLink(address, path, known) {
  const mails = await h.parley.mail.waitFor(address, known + 1, 30000)
  const mail = mails[known]
  const link = (mail.Text.match(new RegExp(`http[^\\s<>()]*${path}#[^\\s<>()]+`)) || [])[0]
  assert.ok(link, `a ${path} link in the email to ${address}:\n${mail.Text}`)
  return { link, mail }
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

test('an invitation arrives by email and is accepted from it', { timeout: 90000 }, async () => {
  const p = await newPage()
  await logIn(p, owner.email, owner.password)
  const invitee = `omar-${randomUUID().slice(0, 8)}@northwind.example`
  await p.goto(h.base + '/settings/team')
  await p.getByLabel('Email address').fill(invitee)
  await p.getByLabel('Role', { exact: true }).selectOption('agent')
  await p.getByRole('button', { name: 'Send invitation' }).click()
  await p.getByText(`We emailed the invitation to ${invitee}.`, { exact: false }).waitFor()

  const { link, mail } = await newLink(invitee, '/accept-invite', 0)
  assert.match(mail.Subject, /Northwind Bikes/)
  assert.match(mail.Text, new RegExp(owner.name))
  const a = await newPage()
  await a.goto(link)
  await a.getByRole('heading', { name: 'Join Northwind Bikes on Parley' }).waitFor()
  assert.match(await a.getByTestId('invite-details').innerText(), new RegExp(`${owner.name} invited ${invitee} to join Northwind Bikes as Agent`))
  await a.getByLabel('Your name').fill('Omar Agent')
  await a.getByLabel('Password').fill('omar passphrase 1')
  await a.getByRole('button', { name: 'Join the team' }).click()
  await a.waitForURL(/\/inbox$/)
  await h.api('POST', '/api/v1/auth/login', { email: invitee, password: 'omar passphrase 1' })
  for (const pg of [p, a]) noProblems(pg)
})

test('forgot password → the emailed link → a new password; every other session ends', { timeout: 90000 }, async () => {
  const elsewhere = await newPage()
  await logIn(elsewhere, owner.email, owner.password)

  const p = await newPage()
  await p.goto(h.base + '/login')
  await p.getByRole('link', { name: 'Forgot password?' }).click()
  await p.waitForURL(/\/forgot-password$/)
  await p.getByRole('button', { name: 'Email me a reset link' }).waitFor()
  assert.deepEqual(await axe(p), [], 'axe on the forgot-password page')
  const before = await mailCount(owner.email)
  await p.getByLabel('Work email').fill(owner.email.toUpperCase())
  await p.getByRole('button', { name: 'Email me a reset link' }).click()
  await p.getByText(/a reset link is on its way/).waitFor()

  const { link, mail } = await newLink(owner.email, '/reset-password', before)
  assert.match(mail.Subject, /password/i)
  assert.match(mail.HTML, /reset-password#/)
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
  const before = await mailCount(newEmail)
  const em = p.getByRole('region', { name: 'Change your email' })
  await em.getByLabel('New email address').fill(newEmail)
  await em.getByLabel('Current password').fill(owner.password)
  await em.getByRole('button', { name: 'Send confirmation link' }).click()
  await em.getByText(`We sent a link to ${newEmail}.`, { exact: false }).waitFor()
  const { link } = await newLink(newEmail, '/confirm-email', before)
  await p.goto(link)
  await p.getByText(`Your email address is now ${newEmail}.`, { exact: false }).waitFor()
  await p.getByRole('link', { name: 'Continue to Parley' }).click()
  await p.getByTestId('profile-email').filter({ hasText: newEmail }).waitFor()
  await h.api('POST', '/api/v1/auth/login', { email: newEmail, password: owner.password })
  await assert.rejects(login(owner.password), /401/)

  // The email notification setting is the member's own.
  const toggle = p.getByRole('switch', { name: "Email me about new conversations while I'm away" })
  const was = await toggle.isChecked()
  await toggle.click()
  await p.getByText('Notification settings saved.').waitFor()
  const { access_token } = await h.api('POST', '/api/v1/auth/login', { email: newEmail, password: owner.password })
  assert.equal((await h.api('GET', '/api/v1/me/notifications', undefined, access_token)).email_new_conversations, !was)
  noProblems(p)
})
