// Browser journeys of files in the chat, against a real Parley: an agent
// attaches a PDF (picker) and an image (dropped on the conversation) and a
// visitor, through the widget's REST API from the customer's site, receives
// both and downloads the PDF byte for byte; a visitor's image arrives live as
// a thumbnail in the inbox and opens full size in the lightbox; the agent
// deletes a message and the visitor's copy says so; the agent sets a profile
// photo that shows beside their messages; an admin turns documents off and a
// PDF is refused before a byte is sent; the widget logo is uploaded and shown
// in the preview and the widget's settings. The tests run in order and share
// one workspace. Run: npm run test:e2e.
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Harness, axe, randomUUID, until } from './harness.mjs'

const h = new Harness()
const owner = { name: 'Olivia Owens', email: `olivia-${randomUUID().slice(0, 8)}@northwind.example`, password: 'correct horse battery staple' }
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n')
let token, widgetKey, ctx, p, visitor, convId, uploads

before(async () => {
  await h.start()
  const s = await h.api('POST', '/api/v1/signup', { business_name: 'Northwind Bikes', ...owner })
  token = s.access_token
  widgetKey = s.tenant.widget_key
  ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  p = await h.newPage(ctx)
  // Every upload the dashboard starts, so a test can say none was sent.
  uploads = []
  p.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/uploads' && uploads.push(r.url()))
  await p.goto(h.base + '/login')
  await p.getByLabel('Work email').fill(owner.email)
  await p.getByLabel('Password').fill(owner.password)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.waitForURL(/\/(inbox|getting-started)$/)
  visitor = await h.visitor(widgetKey, { name: 'Maria Lopez' })
})

beforeEach(() => {
  if (p) {
    p.problems.length = 0
    p.badResponses.length = 0
  }
})

after(async () => {
  if (p?.problems?.length) console.log('# console problems:', p.problems)
  await h.stop()
})

function noProblems(page) {
  assert.deepEqual(page.problems.filter((x) => /Content Security Policy|Refused to|pageerror/.test(x)), [], 'no CSP violations or uncaught errors')
  assert.deepEqual(page.badResponses, [], 'no malformed API requests')
}

/** png draws a real PNG with the page's canvas. */
async function png(w, hgt, color) {
  const b64 = await p.evaluate(async ([w, hgt, color]) => {
    const c = document.createElement('canvas')
    c.width = w
    c.height = hgt
    const g = c.getContext('2d')
    g.fillStyle = color
    g.fillRect(0, 0, w, hgt)
    g.fillStyle = '#fff'
    g.fillRect(w / 4, hgt / 4, w / 2, hgt / 2)
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'))
    const bytes = new Uint8Array(await blob.arrayBuffer())
    let s = ''
    for (const b of bytes) s += String.fromCharCode(b)
    return btoa(s)
  }, [w, hgt, color])
  return Buffer.from(b64, 'base64')
}

/** visitorUpload posts a file as the visitor, from the customer's site. */
async function visitorUpload(name, bytes, type) {
  const form = new FormData()
  form.append('file', new Blob([bytes], { type }), name)
  const r = await fetch(h.base + '/api/v1/widget/uploads', { method: 'POST', headers: { Authorization: 'Bearer ' + visitor.token, Origin: h.site, Accept: 'application/json' }, body: form })
  const text = await r.text()
  assert.equal(r.status, 201, `visitor upload: ${r.status} ${text}`)
  return JSON.parse(text)
}

async function visitorSendFiles(body, ids) {
  return h.api('POST', `/api/v1/widget/conversations/${convId}/messages`, { body, client_msg_id: randomUUID(), attachments: ids }, visitor.token, { Origin: h.site })
}

/** dropFiles drops files built in the page on the conversation, as a drag from the desktop does. */
async function dropFiles(files) {
  const dt = await p.evaluateHandle((list) => {
    const dt = new DataTransfer()
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }))
    return dt
  }, files.map((f) => ({ ...f, b64: f.bytes.toString('base64') })))
  const target = p.locator('section.conversation')
  await target.dispatchEvent('dragenter', { dataTransfer: dt })
  await target.dispatchEvent('dragover', { dataTransfer: dt })
  await target.dispatchEvent('drop', { dataTransfer: dt })
}

test('an agent attaches a PDF and an image; the visitor receives both and downloads the PDF as sent', { timeout: 120000 }, async () => {
  await visitor.send('Hi! Can you send me the invoice?')
  convId = visitor.conversationId
  await p.goto(`${h.base}/inbox/${convId}`)
  await p.locator('.msg-in .msg-body').filter({ hasText: 'send me the invoice' }).waitFor()

  await p.getByTestId('attach-input').setInputFiles({ name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: pdf })
  const photo = await png(640, 480, '#0ea5e9')
  await dropFiles([{ name: 'bike-frame.png', type: 'image/png', bytes: photo }])
  const items = p.getByTestId('tray-item')
  await until(async () => (await items.count()) === 2 && (await p.locator('.tray-done').count()) === 2, 'both uploads to finish')
  assert.equal(uploads.length, 2)
  await p.locator('#composer-input').fill('Here is your invoice, and the frame we talked about.')
  await p.getByRole('button', { name: 'Send', exact: true }).click()

  const mine = p.locator('.msg-out').filter({ hasText: 'Here is your invoice' })
  await mine.getByTestId('file-card').filter({ hasText: 'invoice-1042.pdf' }).waitFor()
  await mine.getByRole('button', { name: 'Open bike-frame.png full size' }).waitFor()
  assert.equal(await p.getByTestId('tray-item').count(), 0, 'the tray empties once sent')
  assert.match(await mine.getByTestId('file-card').innerText(), /PDF · \d+ B/)

  const got = await until(async () => (await visitor.messages()).find((m) => m.body.startsWith('Here is your invoice')), 'the visitor to get the message')
  assert.deepEqual(got.attachments.map((a) => [a.name, a.kind]).sort(), [['bike-frame.png', 'image'], ['invoice-1042.pdf', 'document']])
  const doc = got.attachments.find((a) => a.kind === 'document')
  // The signed URL is the credential: no token, from any site.
  const r = await fetch(h.base + doc.url, { headers: { Origin: h.site } })
  assert.equal(r.status, 200)
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), pdf)
  const image = got.attachments.find((a) => a.kind === 'image')
  assert.deepEqual(image.image, { width: 640, height: 480 })
  assert.ok(image.thumbnail_url, 'the image has a thumbnail')

  // The agent's download link saves the same bytes.
  const [download] = await Promise.all([p.waitForEvent('download'), mine.getByRole('link', { name: 'Download invoice-1042.pdf' }).click()])
  assert.equal(download.suggestedFilename(), 'invoice-1042.pdf')
  assert.deepEqual(readFileSync(await download.path()), pdf)
  noProblems(p)
})

test('a file in a private note stays with the team', { timeout: 60000 }, async () => {
  await p.getByRole('radio', { name: /Private note/ }).click()
  await p.getByTestId('attach-input').setInputFiles({ name: 'internal-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('refund approved by Olivia\n') })
  await p.locator('.tray-done').waitFor()
  await p.getByRole('button', { name: 'Add note' }).click() // a file and no text
  await p.locator('.msg-private').getByTestId('file-card').filter({ hasText: 'internal-notes.txt' }).waitFor()
  await p.getByRole('radio', { name: 'Reply' }).click()
  await p.locator('#composer-input').fill('Anything else?')
  await p.locator('#composer-input').press('Enter')
  await until(async () => (await visitor.messages()).some((m) => m.body === 'Anything else?'), 'the later reply to reach the visitor')
  assert.ok(!(await visitor.messages()).some((m) => m.attachments?.some((a) => a.name === 'internal-notes.txt')), 'the note and its file never reach the visitor')
  noProblems(p)
})

test("a visitor's image arrives live as a thumbnail and opens full size in the lightbox", { timeout: 90000 }, async () => {
  const shot = await png(1200, 800, '#e11d48')
  const a = await visitorUpload('damaged-box.png', shot, 'image/png')
  assert.equal(a.kind, 'image')
  await visitorSendFiles('', [a.id]) // a file and no text
  const thumb = p.locator('.msg-in').getByRole('button', { name: 'Open damaged-box.png full size' })
  await thumb.waitFor({ timeout: 15000 })
  const img = thumb.locator('img')
  await until(() => img.evaluate((e) => e.complete && e.naturalWidth > 0), 'the thumbnail to load')
  assert.ok((await img.evaluate((e) => e.naturalWidth)) <= 320, 'a thumbnail, not the full image')

  await thumb.click()
  const box = p.getByRole('dialog', { name: 'Image: damaged-box.png' })
  await box.waitFor()
  const full = box.getByRole('img', { name: 'damaged-box.png' })
  await until(() => full.evaluate((e) => e.complete && e.naturalWidth === 1200), 'the full-size image')
  assert.match(await box.innerText(), /1200 × 800/)
  assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Close', 'focus moves into the lightbox')
  assert.deepEqual(await axe(p), [], 'the lightbox has no serious accessibility problem')
  await p.keyboard.press('Escape')
  await until(async () => (await box.count()) === 0, 'Esc to close the lightbox')
  assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Open damaged-box.png full size', 'focus returns to the thumbnail')
  noProblems(p)
})

test('deleting a message shows "Message deleted" on both sides and its files are gone', { timeout: 60000 }, async () => {
  const before = (await visitor.messages()).find((m) => m.body.startsWith('Here is your invoice'))
  const docUrl = before.attachments.find((a) => a.kind === 'document').url
  const mine = p.locator('.msg-out').filter({ hasText: 'Here is your invoice' })
  await mine.hover()
  await mine.getByRole('button', { name: 'Delete message' }).click()
  const dialog = p.getByRole('dialog')
  await dialog.getByText(/Delete this message for everyone/).waitFor()
  await dialog.getByRole('button', { name: 'Delete message' }).click()
  await p.locator(`.msg-deleted[data-seq="${before.seq}"]`).getByText('Message deleted').waitFor()
  assert.equal(await p.getByText('Here is your invoice').count(), 0)

  const after = await until(async () => (await visitor.messages()).find((m) => m.seq === before.seq && m.kind === 'deleted'), 'the visitor to see the deletion')
  assert.equal(after.body, '')
  assert.ok(!after.attachments?.length, 'no files on a deleted message')
  await until(async () => (await fetch(h.base + docUrl)).status === 404, 'the file to be gone')
  noProblems(p)
})

test('a deletion in another tab shows live', { timeout: 60000 }, async () => {
  const m = await visitor.send('Please ignore this one')
  await p.locator('.msg-in .msg-body').filter({ hasText: 'Please ignore this one' }).waitFor()
  await h.api('DELETE', `/api/v1/conversations/${convId}/messages/${m.id}`, undefined, token)
  await p.locator(`.msg-deleted[data-seq="${m.seq}"]`).getByText('Message deleted').waitFor({ timeout: 15000 })
  noProblems(p)
})

test('an agent sets a profile photo, shown in the navigation and beside their messages', { timeout: 90000 }, async () => {
  await p.goto(h.base + '/settings/profile')
  const face = await png(400, 300, '#16a34a')
  await p.getByLabel('Choose a photo').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: face })
  await p.getByRole('img', { name: 'Preview of the new photo' }).waitFor()
  await p.getByRole('button', { name: 'Save photo' }).click()
  await p.getByText('Your photo was saved.').waitFor()
  const current = p.getByRole('img', { name: 'Your current photo' })
  await current.waitFor()
  const src = await current.getAttribute('src')
  assert.match(src, /^\/api\/v1\/media\/avatars\/[\w-]+$/)
  const served = await fetch(h.base + src)
  assert.equal(served.status, 200)
  assert.match(served.headers.get('content-type'), /^image\/(png|jpeg)$/)
  await until(() => p.locator(`img.avatar-photo[src="${src}"]`).count(), 'the photo in the navigation')

  // A photo that is not an image is refused before it is sent.
  await p.getByLabel('Change photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
  await p.getByText('Choose a PNG, JPEG, GIF or WebP image.').waitFor()

  await p.goto(`${h.base}/inbox/${convId}`)
  await p.locator('#composer-input').fill('A reply with my face next to it')
  await p.locator('#composer-input').press('Enter')
  const reply = p.locator('.msg-out').filter({ hasText: 'A reply with my face next to it' })
  await until(() => reply.locator(`img.avatar-photo[src="${src}"]`).count(), 'the photo beside the message')
  const m = await until(async () => (await visitor.messages()).find((x) => x.body === 'A reply with my face next to it'), 'the visitor to get it')
  assert.equal(m.author.avatar_url, src, 'visitors get the photo too')
  noProblems(p)
})

test('an admin turns documents off; a PDF is refused before a byte is sent', { timeout: 90000 }, async () => {
  await p.goto(h.base + '/settings/files')
  await p.getByRole('heading', { name: 'Files in chat', level: 1 }).waitFor()
  const docs = p.getByRole('checkbox', { name: 'Documents' })
  assert.equal(await docs.isChecked(), true)
  assert.equal(await p.getByRole('checkbox', { name: 'Other files' }).isChecked(), false)
  await docs.uncheck()
  await p.getByRole('button', { name: 'Save changes' }).click()
  await p.getByText('Saved').first().waitFor()
  const s = await h.api('GET', '/api/v1/settings', undefined, token)
  assert.deepEqual(s.attachments, { enabled: true, kinds: ['image', 'archive', 'media'] })

  await p.goto(`${h.base}/inbox/${convId}`)
  await p.locator('#composer-input').waitFor()
  const sent = uploads.length
  await p.getByTestId('attach-input').setInputFiles({ name: 'terms.pdf', mimeType: 'application/pdf', buffer: pdf })
  await p.getByTestId('tray-item').getByRole('alert').filter({ hasText: 'terms.pdf cannot be sent: Documents are not allowed' }).waitFor()
  assert.equal(uploads.length, sent, 'no upload was started')
  assert.equal(await p.getByRole('button', { name: 'Send', exact: true }).isDisabled(), true)
  await p.getByRole('button', { name: 'Remove terms.pdf' }).click()
  assert.equal(await p.getByTestId('tray-item').count(), 0)
  // The server refuses it too (its kind is sniffed from the bytes, whatever the name).
  const form = new FormData()
  form.append('file', new Blob([pdf]), 'renamed.png')
  const r = await fetch(h.base + '/api/v1/uploads', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form })
  assert.equal(r.status, 415)
  noProblems(p)
})

test('the widget logo is uploaded, shown in the preview and given to the widget', { timeout: 90000 }, async () => {
  await p.goto(h.base + '/settings/widget')
  const logo = await png(600, 200, '#7c3aed')
  await p.getByLabel('Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo })
  await p.getByRole('button', { name: 'Save logo' }).click()
  await p.getByText('The logo was saved.').waitFor()
  const preview = p.getByTestId('widget-preview-logo')
  await preview.waitFor()
  const src = await preview.getAttribute('src')
  assert.match(src, /^\/api\/v1\/media\/logos\/[\w-]+$/)
  assert.equal(await p.getByRole('img', { name: 'Your logo' }).getAttribute('src'), src)
  await until(() => preview.evaluate((e) => e.complete && e.naturalWidth > 0), 'the logo to load')

  // Saving the rest of the widget's settings keeps the logo.
  await p.getByLabel('Launcher text').fill('Chat with us')
  await p.getByRole('button', { name: 'Save changes' }).click()
  await p.getByText('Saved').first().waitFor()
  const s = await h.api('GET', '/api/v1/settings', undefined, token)
  assert.equal(s.widget.logo_url, src)
  assert.equal(s.widget.launcher_text, 'Chat with us')
  const session = await h.api('POST', `/api/v1/widget/${encodeURIComponent(widgetKey)}/session`, {}, undefined, { Origin: h.site })
  assert.equal(JSON.stringify(session).includes(src), true, 'the widget is given the logo')

  await p.getByRole('button', { name: 'Remove logo' }).click()
  await p.getByText('The logo was removed.').waitFor()
  assert.equal(await preview.count(), 0)
  noProblems(p)
})

test('billing shows the storage the files use', { timeout: 60000 }, async () => {
  await p.goto(h.base + '/billing')
  const storage = p.getByTestId('usage-storage')
  await storage.waitFor()
  assert.match(await storage.innerText(), /File storage[\s\S]*\d+(\.\d)? (B|KB|MB)[\s\S]*\d+ files?/)
  noProblems(p)
})
