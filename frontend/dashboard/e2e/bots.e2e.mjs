// Browser journeys of issue 6 in the dashboard, against a real Parley (started
// with PARLEY_BOT_ALLOW_PRIVATE_NETWORKS=true, see harness.mjs) and the real
// widget on a customer page: the Bots page (FAQ, a field error, "try a
// question", the pattern tester, API keys), then the inbox's queue, hand-off
// indicator, "Take over" and "Hand back to bot". Run: npm run test:e2e.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
let token, user, widgetKey, ownerCtx, p

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', { business_name: 'Northwind Bikes', ...owner })
  token = s.access_token
  user = s.user
  widgetKey = s.tenant.widget_key
  ownerCtx = await h.browser.newContext({ viewport: { width: 1280, height: 900 } })
  await ownerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base })
  p = await h.newPage(ownerCtx)
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

function noProblems(page) {
  assert.deepEqual(page.problems.filter((x) => /Content Security Policy|Refused to/.test(x)), [], 'no CSP violations')
  assert.deepEqual(page.problems.filter((x) => /pageerror/.test(x)), [], 'no uncaught errors')
  assert.deepEqual(page.badResponses, [], 'no malformed API requests')
}

const saved = async () => {
  await p.getByRole('button', { name: 'Save changes' }).click()
  await p.locator('.toast').filter({ hasText: 'Saved' }).last().waitFor()
}

test('Bots page: configure the FAQ, see a field error, try a question, test a pattern, create and delete an API key', { timeout: 90000 }, async () => {
  await p.getByRole('link', { name: 'Bots' }).click()
  await p.getByRole('heading', { name: 'Bots', level: 1 }).waitFor()
  await p.getByRole('heading', { name: 'Skills' }).waitFor()

  await p.getByRole('switch', { name: 'The bot answers new conversations' }).check()
  await p.getByLabel('Bot name').fill('Robin')
  await p.getByRole('switch', { name: 'FAQ answers' }).check()
  // Reorder with the accessible buttons: focus follows the moved skill.
  await p.getByRole('button', { name: 'Move Order status up' }).click()
  const order = () => p.locator('.skill-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-skill')))
  assert.deepEqual((await order()).slice(0, 2), ['order_status', 'faq'])
  await until(() => p.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Move Order status down'), 'focus on the moved skill')
  await p.keyboard.press('Enter')
  assert.deepEqual((await order()).slice(0, 2), ['faq', 'order_status'])

  await p.getByRole('button', { name: /Add a question/ }).click()
  await p.getByLabel('Question', { exact: true }).fill('How long does shipping take?')
  await p.getByLabel('Other ways to ask').fill('delivery time\nwhen will my parcel arrive')
  await p.getByLabel('Answer', { exact: true }).fill('Shipping takes 3 to 5 business days.')

  // The API's field error lands next to its field.
  const url = p.getByLabel('Your order endpoint')
  await url.fill('not a url')
  await p.getByRole('button', { name: 'Save changes' }).click()
  await until(async () => (await url.getAttribute('aria-invalid')) === 'true', 'the URL marked invalid')
  const errId = (await url.getAttribute('aria-describedby')).split(' ')[0]
  assert.match(await p.locator(`[id="${errId}"]`).innerText(), /order_status\.url must be/i)
  assert.match(await p.getByRole('link', { name: 'Order status' }).getAttribute('class'), /has-error/)
  await url.fill('')
  await saved()
  const bot = await h.api('GET', '/api/v1/bot', undefined, token)
  assert.equal(bot.enabled, true)
  assert.deepEqual(bot.skills, ['faq'])
  assert.deepEqual(bot.faq.entries.map((e) => [e.question, e.alternatives]), [['How long does shipping take?', ['delivery time', 'when will my parcel arrive']]])

  // What would the bot do with a question?
  await p.getByLabel('A visitor asks').fill('when will my parcel arrive?')
  await p.getByRole('button', { name: 'Try', exact: true }).click()
  await p.getByText('The bot would answer with “How long does shipping take?”.').waitFor()
  assert.match(await p.locator('.try-matches').innerText(), /How long does shipping take\?[\s\S]*\d+ % confident/)

  // The order-number pattern, tested live.
  await p.getByLabel('Order number pattern').fill('^#?\\d{5}$')
  await p.getByTestId('pattern-verdict').filter({ hasText: '“12345” matches' }).waitFor()
  await p.getByLabel('Test an order number').fill('12ab')
  await p.getByTestId('pattern-verdict').filter({ hasText: 'does not match' }).waitFor()
  await p.getByRole('button', { name: 'Discard changes' }).click()
  await p.getByText('All changes saved').waitFor()

  // An API key: shown once, copied, working, then deleted and refused at once.
  await p.getByLabel('Key name').fill('Support bot')
  await p.getByRole('button', { name: 'Create key' }).click()
  const keyInput = p.getByTestId('new-api-key')
  await keyInput.waitFor()
  const key = await keyInput.inputValue()
  assert.ok(key.length > 20, 'a key')
  await p.getByText(/shown only this once/).waitFor()
  await p.getByRole('button', { name: 'Copy key' }).click()
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), key)
  const withKey = () => fetch(h.base + '/api/v1/conversations', { headers: { Authorization: 'Bearer ' + key } })
  assert.equal((await withKey()).status, 200, 'the key works on the conversation routes')
  await p.getByRole('button', { name: 'I have copied it' }).click()
  assert.equal(await keyInput.count(), 0)
  const row = p.locator('.keys-table tr').filter({ hasText: 'Support bot' })
  await row.waitFor()
  assert.ok(!(await p.locator('main').innerText()).includes(key), 'the key is not shown again')
  assert.match(await row.innerText(), /Never/)

  const found = (await axe(p)).map((v) => `${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`)
  assert.deepEqual(found, [])

  await row.getByRole('button', { name: 'Delete the key Support bot' }).click()
  await p.getByRole('dialog').getByRole('button', { name: 'Delete key' }).click()
  await row.waitFor({ state: 'detached' })
  await until(async () => (await withKey()).status === 401, 'the deleted key to be refused')
  noProblems(p)
})

test('Inbox: the queue filter, the hand-off indicator, take over (the visitor sees who joined) and hand back', { timeout: 90000 }, async () => {
  // One open conversation per agent: once Olivia has one, the next visitor waits in the queue.
  await h.api('PATCH', '/api/v1/settings', { agent_open_limit: 1 }, token)
  await p.getByRole('link', { name: 'Inbox' }).first().click()
  await p.locator('.live-on').waitFor()
  const first = await h.visitor(widgetKey)
  await first.send('I need a human please')
  const firstState = await until(async () => {
    const c = first.conversationId && (await h.api('GET', `/api/v1/conversations/${first.conversationId}`, undefined, token))
    return c && c.handoff !== 'bot' && c
  }, 'the first visitor handed off')
  if (firstState.handoff === 'queued') await h.api('POST', `/api/v1/conversations/${first.conversationId}/handoff`, { to: 'agent' }, token)

  // The second visitor, in a browser, on the shop's site.
  const vctx = await h.browser.newContext()
  const vp = await h.newPage(vctx)
  await vp.goto(h.publish(`<script async src="${h.base}/widget/${widgetKey}.js"></script>`))
  await vp.locator('[data-parley] button.lc').click()
  const f = vp.frameLocator('[data-parley] iframe')
  await f.locator('form.cmp textarea').waitFor({ timeout: 20000 })
  await f.locator('form.cmp textarea').fill('How long does shipping take?')
  await f.locator('form.cmp textarea').press('Enter')
  await f.locator('.g.them.bot .b').filter({ hasText: 'Shipping takes 3 to 5 business days.' }).waitFor({ timeout: 15000 })
  await f.locator('.log .qr').last().getByRole('button', { name: 'Talk to a person' }).click()
  await f.locator('.qu').filter({ hasText: 'You’re next in line for a person.' }).waitFor({ timeout: 15000 })

  // The agent's queue.
  await p.getByRole('button', { name: 'Queued' }).click()
  const item = p.locator('.conv-item').filter({ hasText: 'Queued #1' })
  await item.waitFor({ timeout: 15000 })
  assert.equal(await p.locator('.conv-item').count(), 1, 'only queued conversations')
  await item.click()
  const bar = p.getByRole('group', { name: 'Who has this conversation' })
  await bar.filter({ hasText: /number 1 in the queue/ }).waitFor()
  // Bot and visitor messages are told apart; the click shows the option chosen.
  await p.locator('.msg-bot').filter({ hasText: 'Shipping takes 3 to 5 business days.' }).locator('.msg-bot-badge').waitFor()
  await p.locator('.msg-bot .chip').filter({ hasText: 'Talk to a person' }).first().waitFor()
  await p.locator('.msg-in .msg-chosen').filter({ hasText: 'chose “Talk to a person”' }).waitFor()
  const found = (await axe(p)).map((v) => `${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`)
  assert.deepEqual(found, [])

  await bar.getByRole('button', { name: 'Take over' }).click()
  await p.locator('[data-handoff=agent]').filter({ hasText: 'With you' }).waitFor()
  await p.locator('.msg-system').filter({ hasText: 'Olivia Owens joined the conversation' }).waitFor()
  await f.locator('.log .g.sys').filter({ hasText: 'Olivia Owens joined the conversation' }).waitFor({ timeout: 15000 })
  await f.locator('.qu').waitFor({ state: 'hidden' })
  await until(async () => (await p.locator('.conv-item').count()) === 0, 'the conversation to leave the queue')

  await p.locator('#composer-input').fill('Hi, Olivia here. Let me check that for you.')
  await p.locator('#composer-input').press('Enter')
  await f.locator('.g.them.agent .b').filter({ hasText: 'Olivia here' }).waitFor({ timeout: 15000 })

  await bar.getByRole('button', { name: 'Hand back to bot' }).click()
  await p.locator('[data-handoff=bot]').filter({ hasText: 'The bot is answering' }).waitFor()
  await f.locator('.log .g.sys').filter({ hasText: 'handed the conversation back' }).waitFor({ timeout: 15000 })
  // The bot answers again.
  await f.locator('form.cmp textarea').fill('when will my parcel arrive?')
  await f.locator('form.cmp textarea').press('Enter')
  await f.locator('.g.them.bot .b').filter({ hasText: 'Shipping takes 3 to 5 business days.' }).nth(1).waitFor({ timeout: 15000 })
  await p.locator('.msg-bot').filter({ hasText: 'Shipping takes 3 to 5 business days.' }).nth(1).waitFor({ timeout: 15000 })
  noProblems(p)
  await vctx.close()
})
