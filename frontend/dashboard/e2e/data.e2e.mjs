// Browser journeys of issue 11 (the business owns its data) against a real
// Parley, with the real widget on a customer page of another site: an export
// followed by its progress bar and downloaded (a zip whose manifest lists the
// files); a visitor erased from the inbox (their conversation leaves the list
// and their widget session ends); the audit log showing those actions;
// the retention preview; and closing the workspace, after which logins fail.
// The tests run in order and share one workspace; the archive is also
// imported into a new workspace on a second Parley. Run: npm run test:e2e.
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { inflateRawSync } from 'node:zlib'
import { Parley } from '../../e2e/parley.mjs'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
const business = 'Northwind Bikes'
let token, widgetKey, ctx, p, visitorPage

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', { business_name: business, ...owner })
  token = s.access_token
  widgetKey = s.tenant.widget_key
  ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  p = await h.newPage(ctx)
  await logIn(p)
})

// Each journey answers for the console and API problems of its own steps.
beforeEach(() => {
  if (p) {
    p.problems.length = 0
    p.badResponses.length = 0
  }
})

after(async () => {
  for (const x of [p, visitorPage]) if (x?.problems?.length) console.log('# console problems:', x.problems)
  await h.stop()
})

async function logIn(page) {
  await page.goto(h.base + '/login')
  await page.getByLabel('Work email').fill(owner.email)
  await page.getByLabel('Password').fill(owner.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(/\/(inbox|getting-started)$/)
}

function noProblems(page) {
  assert.deepEqual(page.problems.filter((x) => /Content Security Policy|Refused to|pageerror/.test(x)), [], 'no CSP violations or uncaught errors')
  assert.deepEqual(page.badResponses, [], 'no malformed API requests')
}

async function openSettings(section) {
  await p.getByRole('link', { name: 'Settings' }).click()
  await p.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: section }).click()
  await p.getByRole('heading', { name: section, level: 1 }).waitFor()
}

/** unzip reads a zip file's entries ({name: Buffer}) from its central directory (stored or deflated). */
function unzip(buf) {
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  assert.ok(eocd >= 0, 'a zip end-of-central-directory record')
  const entries = {}
  let at = buf.readUInt32LE(eocd + 16)
  for (let i = 0, n = buf.readUInt16LE(eocd + 10); i < n; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory entry')
    const method = buf.readUInt16LE(at + 10)
    const size = buf.readUInt32LE(at + 20)
    const nameLen = buf.readUInt16LE(at + 28)
    const extra = buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32)
    const local = buf.readUInt32LE(at + 42)
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    entries[name] = method === 8 ? inflateRawSync(data) : data
    at += 46 + nameLen + extra
  }
  return entries
}

let convId, exportZip

test('an admin exports everything: the progress bar runs to done and the zip downloads with its manifest', { timeout: 120000 }, async () => {
  // Something to export: a visitor's conversation and an agent's reply.
  const v = await h.visitor(widgetKey, { name: 'Ada Sample' })
  await v.send('Do you have the Ridgeline 3 in stock?')
  await h.api('POST', `/api/v1/conversations/${v.conversationId}/messages`, { body: 'Yes, in all sizes.', client_msg_id: randomUUID() }, token)

  await openSettings('Data & privacy')
  // This Parley has no SMTP, so the page promises no email.
  await p.getByText('Email is not set up on this Parley, so no email says when it is ready').waitFor()
  // Record every value the progress bar shows.
  await p.evaluate(() => {
    window.__progress = []
    new MutationObserver(() => {
      const bar = document.querySelector('[role=progressbar][aria-label="Export progress"]')
      const v = bar && Number(bar.getAttribute('aria-valuenow'))
      if (bar && window.__progress[window.__progress.length - 1] !== v) window.__progress.push(v)
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] })
  })
  await p.getByRole('button', { name: 'Export all data' }).click()
  const done = p.getByTestId('export-done')
  const failed = p.locator('section[aria-labelledby=data-export] .alert-error')
  await until(async () => (await done.count()) || (await failed.count()), 'the export to finish', 90000, 200)
  assert.equal(await failed.count(), 0, `the export failed: ${await failed.allInnerTexts()}`)
  const seen = await p.evaluate(() => window.__progress)
  assert.ok(seen.length >= 1, 'the progress bar was shown')
  assert.deepEqual([...seen].sort((a, b) => a - b), seen, `the progress only moves forward: ${seen}`)
  assert.equal(await p.getByRole('progressbar', { name: 'Export progress' }).count(), 0, 'the bar is replaced by the download')
  assert.equal(await p.getByRole('button', { name: 'Export all data' }).isDisabled(), false)

  const link = done.getByRole('link', { name: /^Download \([\d.,]+ (B|KB|MB)\)$/ })
  const [download] = await Promise.all([p.waitForEvent('download'), link.click()])
  assert.match(download.suggestedFilename(), /^parley-export-.+-\d{8}\.zip$/)
  const zip = readFileSync(await download.path())
  exportZip = zip
  assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a zip file')
  const files = unzip(zip)
  const manifest = JSON.parse(files['manifest.json'].toString('utf8'))
  assert.equal(manifest.format, 'parley-export')
  const listed = manifest.files.map((f) => f.name)
  assert.ok(listed.includes('messages.jsonl'), `manifest lists messages.jsonl: ${listed}`)
  for (const f of manifest.files) assert.ok(files[f.name], `${f.name} is in the zip`)
  const messages = manifest.files.find((f) => f.name === 'messages.jsonl')
  assert.ok(messages.count >= 2, 'both messages counted')
  assert.match(files['messages.jsonl'].toString('utf8'), /Ridgeline 3/)

  // The link works once: the one just used is refused, and the history lists the export.
  const used = await link.getAttribute('href')
  assert.equal((await fetch(h.base + used)).status, 404, 'a used download link is refused')
  assert.match(await p.getByTestId('export-history').innerText(), /Ready/)
  const found = (await axe(p)).map((x) => `${x.id} (${x.impact}) ${x.help} — ${x.nodes.join(', ')}`)
  assert.deepEqual(found, [])
  noProblems(p)
})

test('the archive moves to another Parley: upload and import progress, then the conversations are there', { timeout: 120000 }, async () => {
  assert.ok(exportZip, 'the export of the first journey')
  const other = new Parley()
  await other.start('dashboard-import')
  try {
    const boss = { name: 'Ivan Import', email: `ivan-${randomUUID().slice(0, 8)}@northwind.example`, password: 'yet another long passphrase' }
    const r = await fetch(other.base + '/api/v1/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ business_name: 'Northwind Self-hosted', ...boss }) })
    assert.equal(r.status, 201)
    const q = await h.newPage(await h.browser.newContext({ viewport: { width: 1280, height: 900 } }))
    await q.goto(other.base + '/login')
    await q.getByLabel('Work email').fill(boss.email)
    await q.getByLabel('Password').fill(boss.password)
    await q.getByRole('button', { name: 'Log in' }).click()
    await q.waitForURL(/\/(inbox|getting-started)$/)
    await q.goto(other.base + '/settings/data')
    const card = q.locator('section[aria-labelledby=data-import]')
    const picker = card.getByLabel('Export archive (.zip)')

    // Not an archive: refused with a sentence that says so, and nothing imported.
    await picker.setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('these are not the files you are looking for') })
    await card.getByRole('button', { name: 'Upload and import' }).click()
    await card.locator('.alert-error').filter({ hasText: 'This file is not a Parley export archive' }).waitFor()

    // The real archive: the upload's progress, then the import's, then the counts.
    await q.evaluate(() => {
      window.__bars = new Set()
      new MutationObserver(() => document.querySelectorAll('[role=progressbar]').forEach((b) => window.__bars.add(b.getAttribute('aria-label')))).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await picker.setInputFiles({ name: 'parley-export.zip', mimeType: 'application/zip', buffer: exportZip })
    await card.getByRole('button', { name: 'Upload and import' }).click()
    const done = card.getByTestId('import-done')
    const failed = card.locator('.alert-error')
    await until(async () => (await done.count()) || (await failed.count()), 'the import to finish', 90000, 200)
    assert.equal(await failed.count(), 0, `the import failed: ${await failed.allInnerTexts()}`)
    assert.match(await done.innerText(), /The import is complete\.[\s\S]*messages\.jsonl — [1-9]\d* rows?/)
    const bars = await q.evaluate(() => [...window.__bars])
    assert.ok(bars.includes('Upload progress') || bars.includes('Import progress'), `a progress bar was shown: ${bars}`)
    assert.equal(await card.getByLabel('Export archive (.zip)').count(), 0, 'no second import offered')

    const conversations = await until(async () => {
      const t = await fetch(other.base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: boss.email, password: boss.password }) }).then((x) => x.json())
      const list = await fetch(other.base + '/api/v1/conversations?limit=50', { headers: { Authorization: 'Bearer ' + t.access_token } }).then((x) => x.json())
      return list.conversations?.length ? list.conversations : null
    }, 'the imported conversations')
    assert.ok(conversations.some((c) => c.last_message?.body?.includes('in all sizes') || c.last_message?.body?.includes('Ridgeline 3')), 'the exported conversation is in the new workspace')
    noProblems(q)
  } finally {
    await other.stop()
  }
})

test('a visitor chats on the customer site; the admin downloads their data and erases them from the inbox', { timeout: 120000 }, async () => {
  const vctx = await h.browser.newContext()
  visitorPage = await h.newPage(vctx)
  const site = h.publish(`<script async src="${h.base}/widget/${encodeURIComponent(widgetKey)}.js"></script>`)
  await visitorPage.goto(site)
  await visitorPage.locator('[data-parley] button.lc').click()
  const f = visitorPage.frameLocator('[data-parley] iframe')
  const box = f.locator('form.cmp textarea')
  await box.waitFor({ timeout: 20000 })
  await box.fill('Hi, this is Vera. My address is 12 Elm Street.')
  await box.press('Enter')
  await f.locator('.log .m:not(.p) .b').filter({ hasText: '12 Elm Street' }).first().waitFor({ timeout: 15000 })
  const stored = await until(() => visitorPage.evaluate((k) => localStorage.getItem('parley:' + k), widgetKey), 'the visitor token on the host page')
  const visitorToken = JSON.parse(stored).token
  assert.ok(visitorToken, 'a visitor token')

  await p.getByRole('link', { name: 'Inbox' }).first().click()
  const item = p.locator('.conv-item').filter({ hasText: '12 Elm Street' })
  await item.waitFor({ timeout: 15000 })
  await item.click()
  convId = decodeURIComponent(new URL(p.url()).pathname.split('/').pop())
  const panel = p.getByRole('complementary', { name: 'Visitor' })
  // A second tab of the team, open on the same conversation: the erasure reaches it live.
  const other = await h.newPage(p.context())
  await other.goto(p.url())
  const otherItem = other.locator('.conv-item').filter({ hasText: '12 Elm Street' })
  await otherItem.waitFor({ timeout: 15000 })

  const [file] = await Promise.all([p.waitForEvent('download'), panel.getByRole('button', { name: 'Download visitor data' }).click()])
  assert.match(file.suggestedFilename(), /^parley-visitor-.+\.json$/)
  const data = JSON.parse(readFileSync(await file.path(), 'utf8'))
  assert.ok(JSON.stringify(data).includes('12 Elm Street'), 'the visitor’s message is in their data')

  await panel.getByRole('button', { name: 'Erase visitor…' }).click()
  const dialog = p.getByRole('dialog')
  assert.match(await dialog.innerText(), /1 conversation with all its messages[\s\S]*cannot be undone/)
  await dialog.getByRole('button', { name: 'Erase visitor' }).click()
  await p.locator('.toast').filter({ hasText: /was erased: 1 conversation and \d+ messages? deleted/ }).waitFor()
  await p.waitForURL(/\/inbox$/)
  await item.waitFor({ state: 'detached' })
  await assert.rejects(h.api('GET', `/api/v1/conversations/${convId}`, undefined, token), /404/)
  await otherItem.waitFor({ state: 'detached', timeout: 10000 })
  await other.waitForURL(/\/inbox$/)
  noProblems(other)
  await other.close()

  // The visitor's session ends: their token is refused, and the widget forgets them.
  await until(async () => (await fetch(h.base + '/api/v1/widget/conversations', { headers: { Authorization: 'Bearer ' + visitorToken, Origin: h.site } })).status === 401, 'the visitor token refused')
  await visitorPage.reload()
  await visitorPage.locator('[data-parley] button.lc').click()
  await f.locator('form.cmp textarea').waitFor({ timeout: 20000 })
  assert.ok(!(await f.locator('body').innerText()).includes('12 Elm Street'), 'the widget shows nothing of the erased conversation')
  noProblems(p)
})

test('retention: the confirmation says what the preview counts, and saving needs it', { timeout: 60000 }, async () => {
  await openSettings('Data & privacy')
  await p.getByRole('radio', { name: 'Delete conversations after a number of days' }).check()
  const days = p.getByLabel('Days since the last activity')
  await days.fill('3')
  await p.getByRole('button', { name: 'Save changes' }).click()
  await until(async () => (await days.getAttribute('aria-invalid')) === 'true', 'too few days refused before any request')
  await days.fill('30')
  await p.getByRole('button', { name: 'Save changes' }).click()
  const text = await p.getByTestId('retention-confirm').innerText()
  const preview = await h.api('GET', '/api/v1/retention/preview?days=30', undefined, token)
  assert.equal(preview.days, 30)
  if (preview.conversations === 0) assert.match(text, /^No conversation is old enough to be deleted now\. .*more than 30 days old/)
  else assert.match(text, new RegExp(`^This will delete ${preview.conversations.toLocaleString('en')} conversations? \\(${preview.messages.toLocaleString('en')} messages?\\) now and keep deleting .* 30 days old`))
  assert.equal((await h.api('GET', '/api/v1/settings', undefined, token)).retention_days ?? 0, 0, 'nothing saved before the confirmation')
  await p.getByRole('dialog').getByRole('button', { name: 'Delete and save' }).click()
  await p.getByTestId('retention-current').filter({ hasText: 'deleted 30 days after' }).waitFor()
  assert.equal((await h.api('GET', '/api/v1/settings', undefined, token)).retention_days, 30)
  noProblems(p)
})

test('the audit log shows who exported, erased and changed retention, from which IP', { timeout: 60000 }, async () => {
  await openSettings('Audit log')
  const log = p.getByTestId('audit-log')
  const row = (action) => log.locator(`tr[data-action="${action}"]`).first()
  await until(async () => {
    await p.reload()
    await p.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor()
    return (await row('visitor.erased').count()) && (await row('export.requested').count()) && (await row('settings.updated').count())
  }, 'the export, the erasure and the settings change in the audit log', 30000, 1000)
  const erased = await row('visitor.erased').innerText()
  assert.match(erased, /Olivia Owens/)
  assert.match(erased, /Erased a visitor/)
  assert.match(erased, /127\.0\.0\.1|::1/)
  assert.ok(!erased.includes('12 Elm Street') && !erased.includes('Vera'), 'the audit log keeps no personal data of the erased visitor')
  assert.match(await row('export.requested').innerText(), /Exported all data/)
  assert.match(await row('settings.updated').innerText(), /retention_days: 0\s*→\s*30/)

  // Filtered by kind: only visitor actions remain.
  await p.getByLabel('Kind of action').selectOption({ label: 'Visitors’ data' })
  await until(async () => {
    const actions = await log.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')))
    return actions.length > 0 && actions.every((a) => a.startsWith('visitor.'))
  }, 'only visitor actions')
  const found = (await axe(p)).map((x) => `${x.id} (${x.impact}) ${x.help} — ${x.nodes.join(', ')}`)
  assert.deepEqual(found, [])
  noProblems(p)
})

test('the owner closes the workspace: a goodbye page, every token refused, and logging in fails', { timeout: 60000 }, async () => {
  await openSettings('Data & privacy')
  const close = p.getByRole('button', { name: 'Close workspace permanently' })
  await p.getByText('This cannot be undone.').waitFor()
  assert.equal(await close.isDisabled(), true)
  await p.getByLabel(`Type ${business} to confirm`).fill(business.toLowerCase())
  assert.equal(await close.isDisabled(), true, 'the name must match exactly')
  await p.getByLabel(`Type ${business} to confirm`).fill(business)
  await close.click()
  await p.waitForURL(/\/goodbye$/)
  await p.getByRole('heading', { name: 'Your workspace is closed' }).waitFor()

  assert.equal((await fetch(h.base + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token } })).status, 401, 'the old access token is refused')
  await assert.rejects(h.api('POST', '/api/v1/auth/login', { email: owner.email, password: owner.password }), /401/)
  await p.goto(h.base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.locator('.alert-error').waitFor()
  assert.match(new URL(p.url()).pathname, /^\/login/)
  await assert.rejects(h.api('POST', `/api/v1/widget/${encodeURIComponent(widgetKey)}/session`, {}, undefined, { Origin: h.site }), /404/, 'the widget key resolves to nothing')
  assert.deepEqual(p.problems.filter((x) => /Content Security Policy|Refused to|pageerror/.test(x)), [])
})
