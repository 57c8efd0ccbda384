// Issue 10's whole loop in Chromium, cross-site as in production (shop.test
// embeds parley.test, see harness.mjs), with a real SMTP server (Mailpit):
// a visitor writes, reloads and still sees the thread, leaves an email and
// closes the page; an agent answers from the inbox; the answer arrives by
// email; the visitor's emailed reply (over SMTP, to Parley's reply listener)
// appears live in the agent's inbox, quotes stripped; and the email's link
// reopens the conversation in the widget. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { sendMail } from '../../e2e/parley.mjs'
import { Harness, frame, newPage, openPanel, randomUUID, until, send, stored } from './harness.mjs'

const h = new Harness()
let acme
const ownerPassword = 'correct horse battery staple'

before(async () => {
  await h.start({ mail: true })
  acme = await h.signup('Acme Outdoor')
})

after(async () => {
  await h.stop()
})

test('the visitor leaves; the answer goes by email; the emailed reply is live in the inbox', { timeout: 240000 }, async () => {
  const visitorEmail = `vera-${randomUUID().slice(0, 8)}@mail.example`
  const visitor = await h.browser.newContext()
  let page = await newPage(visitor)
  await page.goto(h.pageURL(acme.key))
  let f = await openPanel(page)
  await send(f, 'Do you ship to Norway?')

  // Nobody is online: the panel offers to answer by email.
  await f.locator('form.em input[type=email]').fill(visitorEmail)
  await f.locator('form.em button[type=submit]').click()
  await f.locator('.off [role=status]', { hasText: visitorEmail }).waitFor()

  // A reload on the shop's site keeps the thread, then the visitor leaves.
  await page.reload()
  f = await openPanel(page)
  await stored(f, 'Do you ship to Norway?').waitFor()
  await page.close()

  // The owner signs in to the dashboard on Parley's own site and answers.
  const desk = await h.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const agent = await newPage(desk)
  await agent.goto(h.pub + '/login')
  await agent.getByLabel('Work email').fill(acme.user.email)
  await agent.getByLabel('Password').fill(ownerPassword)
  await agent.getByRole('button', { name: 'Log in' }).click()
  await agent.waitForURL(/\/inbox$/)
  const conv = await until(async () => ((await h.api('GET', '/api/v1/conversations', undefined, acme.token)).conversations || [])[0], 'the conversation')
  assert.equal(conv.visitor.email, visitorEmail)
  await agent.goto(`${h.pub}/inbox/${encodeURIComponent(conv.id)}`)
  await agent.locator('.msg-in .msg-body').filter({ hasText: 'Do you ship to Norway?' }).waitFor()
  await agent.locator('#composer-input').fill('Yes! Norway takes 4 to 6 days. Shall I reserve size 42?')
  await agent.locator('#composer-input').press('Enter')
  await agent.locator('.msg-out .msg-body').filter({ hasText: 'Norway takes' }).waitFor()
  const answered = Date.now()

  // The answer reaches the visitor's mailbox, threaded, with a way back.
  const [mail] = await h.parley.mail.waitFor(visitorEmail, 1, 60000)
  console.log(`# agent's answer → the visitor's mailbox: ${Date.now() - answered} ms (visitor delay 2 s)`)
  assert.match(mail.Text, /Norway takes 4 to 6 days/)
  assert.match(mail.Text, /Do you ship to Norway\?/, 'the recent context')
  assert.match(mail.HTML, /Norway takes 4 to 6 days/)
  const replyTo = mail.ReplyTo[0].Address
  assert.match(replyTo, /^reply\+[a-z0-9]+@parley\.test$/)
  assert.ok(mail.Headers['List-Unsubscribe']?.[0], 'List-Unsubscribe')
  assert.ok(mail.Headers['References']?.[0], 'References, so mail clients thread it')
  const link = (mail.Text.match(/http:\/\/shop\.test:\d+\/page\?[^\s<>()]*#parley-conversation=[\w-]+/) || [])[0]
  assert.ok(link, 'a link back to the conversation on the shop:\n' + mail.Text)

  // The visitor answers from their mail client; it lands live in the inbox.
  const data = [
    `From: Vera <${visitorEmail}>`,
    `To: ${replyTo}`,
    `Subject: Re: ${mail.Subject}`,
    `Message-ID: <${randomUUID()}@mail.example>`,
    `In-Reply-To: <${mail.MessageID}>`,
    `References: <${mail.MessageID}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Yes please, size 42.',
    '',
    `On ${new Date().toDateString()}, Acme Outdoor <${mail.From.Address}> wrote:`,
    '> Yes! Norway takes 4 to 6 days. Shall I reserve size 42?',
  ].join('\n')
  const sent = Date.now()
  await sendMail({ port: h.parley.inboundPort, from: visitorEmail, to: replyTo, data })
  await agent.locator('.msg-in .msg-body').filter({ hasText: 'Yes please, size 42.' }).waitFor({ timeout: 15000 })
  console.log(`# emailed reply → the agent's inbox: ${Date.now() - sent} ms`)
  assert.equal(await agent.locator('.msg-in .msg-body').filter({ hasText: 'Norway takes' }).count(), 0, 'the quoted history is stripped')

  // A forged reply address is refused and changes nothing.
  const forged = replyTo.replace(/reply\+([a-z0-9])/, (_, c) => 'reply+' + (c === 'a' ? 'b' : 'a'))
  await assert.rejects(sendMail({ port: h.parley.inboundPort, from: visitorEmail, to: forged, data: data.replace('Yes please', 'Forged') }), (e) => e.code >= 500)

  // The email's link reopens the conversation in the widget on the shop.
  page = await newPage(visitor)
  await page.goto(link)
  f = frame(page)
  await stored(f, 'Yes please, size 42.').waitFor({ timeout: 20000 })
  await f.locator('.log .b').filter({ hasText: 'Norway takes' }).waitFor()
  assert.equal(await f.locator('.log .b').filter({ hasText: 'Forged' }).count(), 0)
  await visitor.close()
  await desk.close()
})
