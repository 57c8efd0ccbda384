// Files in the chat in Chromium, the host page and Parley on different
// sites (shop.test and parley.test, see harness.mjs): a visitor drops an
// image that an agent's socket gets live with a working thumbnail, and it
// opens full size in an accessible overlay; a file over the limit is refused
// before a byte is sent; an agent sends a PDF that the visitor downloads
// byte for byte; an HTML file named .png is refused when
// the tenant does not allow "other" files and, when it does, is only a
// download card, never rendered; the visitor deletes their own message and
// the agent is told; an agent's photo beside their messages and the
// tenant's logo in the header. Run: npm run test:e2e.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Harness, newPage, openPanel, randomUUID, until, send, stored } from './harness.mjs'

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

/** panelFrame is the panel's Frame (for evaluate), once it is there. */
const panelFrame = (page) => until(() => page.frames().find((x) => x.url().includes('/frame')), 'the panel frame')

/** dropFiles builds files in the panel and drops them on it, as a drag from the desktop would. */
async function dropFiles(page, files) {
  const fr = await panelFrame(page)
  await fr.evaluate(async (list) => {
    const dt = new DataTransfer()
    for (const f of list) {
      let blob
      if (f.png) {
        const c = document.createElement('canvas')
        c.width = f.png.w
        c.height = f.png.h
        const g = c.getContext('2d')
        g.fillStyle = '#e11d48'
        g.fillRect(0, 0, c.width, c.height)
        blob = await new Promise((r) => c.toBlob(r, 'image/png'))
      } else blob = new Blob([f.text || ''])
      dt.items.add(new File([blob], f.name, { type: f.type || '' }))
    }
    const main = document.querySelector('main')
    main.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
    main.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
  }, files)
}

/** pngBytes is a real PNG made by Chromium's canvas (for the photo and the logo). */
async function pngBytes(page, w, h2) {
  const fr = await panelFrame(page)
  const b64 = await fr.evaluate(async ([w, h2]) => {
    const c = document.createElement('canvas')
    c.width = w
    c.height = h2
    const g = c.getContext('2d')
    g.fillStyle = '#0ea5e9'
    g.fillRect(0, 0, w, h2)
    g.fillStyle = '#fff'
    g.fillRect(w / 4, h2 / 4, w / 2, h2 / 2)
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'))
    const bytes = new Uint8Array(await blob.arrayBuffer())
    let s = ''
    for (const b of bytes) s += String.fromCharCode(b)
    return btoa(s)
  }, [w, h2])
  return Buffer.from(b64, 'base64')
}

/** axe runs axe-core (WCAG 2.x A/AA) in the panel and fails on any violation. */
async function axe(page, where) {
  const fr = await panelFrame(page)
  await fr.evaluate(axeSource)
  const r = await fr.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
  assert.deepEqual(r.violations.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [])
}

/** multipart posts one file as the part "file" with the agent's token. */
async function multipart(method, path, name, bytes, type) {
  const form = new FormData()
  form.append('file', new Blob([bytes], { type }), name)
  const r = await fetch(h.base + path, { method, headers: { Authorization: 'Bearer ' + acme.token, Accept: 'application/json' }, body: form })
  const text = await r.text()
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return JSON.parse(text)
}

/** agentSocket is an agent's WebSocket with the frames it got. */
async function agentSocket() {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/api/v1/ws?access_token=${encodeURIComponent(acme.token)}`)
  ws.frames = []
  ws.onmessage = (e) => ws.frames.push(JSON.parse(e.data))
  await until(() => ws.frames.some((x) => x.type === 'hello'), 'agent socket hello')
  return ws
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n' + 'x'.repeat(3000))
const HOSTILE = '<!doctype html><html><body><script>alert("xss-file")</script><h1>not a cat</h1></body></html>'

let conv // the visitor's conversation
let ctx
let page
let f

test('a dropped image reaches the agent live as a thumbnail and opens full size; too big is refused before upload', { timeout: 180000 }, async () => {
  const ws = await agentSocket()
  ctx = await h.browser.newContext({ acceptDownloads: true })
  page = await newPage(ctx)
  const uploads = []
  page.on('request', (r) => r.url().includes('/api/v1/widget/uploads') && r.method() === 'POST' && uploads.push(r.url()))
  await page.goto(h.pageURL(acme.key))
  f = await openPanel(page)
  await f.locator('button.clip[aria-label="Attach files"]').waitFor({ timeout: 15000 })

  // Over the plan's limit (10 MB by default): said at once, nothing sent.
  await dropFiles(page, [{ name: 'empty.txt', type: 'text/plain', text: '' }])
  await f.locator('.tray li.failed [role=alert]', { hasText: 'empty.txt is empty.' }).waitFor()
  const fr = await panelFrame(page)
  await fr.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'huge.zip', { type: 'application/zip' }))
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
  })
  await f.locator('.tray li.failed [role=alert]', { hasText: 'huge.zip is too large: files can be up to 10 MB.' }).waitFor()
  assert.deepEqual(uploads, [], 'no upload request for refused files')
  await axe(page, 'refusals in the tray')
  while ((await f.locator('.tray li').count()) > 0) await f.locator('.tray li button').first().click()

  // Two images at once, sent without text: the conversation starts with them.
  await dropFiles(page, [
    { name: 'red-square.png', type: 'image/png', png: { w: 64, h: 48 } },
    { name: 'second <img src=x onerror=alert(1)>.png', type: 'image/png', png: { w: 30, h: 30 } },
  ])
  await until(async () => (await f.locator('.tray li.done').count()) === 2, 'two uploads done', 30000)
  assert.equal(uploads.length, 2)
  await f.locator('form.cmp textarea').press('Enter')
  const thumb = f.locator('.log .m:not(.p) button.th img[alt="red-square.png"]')
  await thumb.waitFor({ timeout: 15000 })
  await f.locator('.log .m:not(.p) button.th img[alt="second <img src=x onerror=alert(1)>.png"]').waitFor()
  await until(() => thumb.evaluate((i) => i.complete && i.naturalWidth > 0), 'the thumbnail loaded from Parley')
  assert.equal(await f.locator('.tray li').count(), 0)

  // The agent's socket got the message live, with a thumbnail that is an image.
  const frame = await until(() => ws.frames.find((x) => x.type === 'message.created' && x.message?.attachments?.length === 2), 'the message at the agent')
  conv = frame.message.conversation_id
  assert.equal(frame.message.body, '')
  const [a1] = frame.message.attachments
  assert.equal(a1.kind, 'image')
  assert.equal(a1.name, 'red-square.png')
  assert.deepEqual(a1.image, { width: 64, height: 48 })
  const t = await fetch(h.base + a1.thumbnail_url)
  assert.equal(t.status, 200)
  assert.match(t.headers.get('content-type'), /^image\//)
  assert.equal(t.headers.get('x-content-type-options'), 'nosniff')

  // Full size in an overlay: focus inside, Escape closes it (not the chat) back to the thumbnail.
  await f.locator('button.th[aria-label="Open red-square.png full size"]').click()
  const big = f.locator('.lb[role=dialog] img[alt="red-square.png"]')
  await big.waitFor()
  await until(() => big.evaluate((i) => i.complete && i.naturalWidth === 64), 'the full image')
  assert.equal(await f.locator('.lb button').evaluate((b) => b === document.activeElement), true)
  await axe(page, 'lightbox')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  assert.equal(await f.locator('.lb').evaluate((d) => d.contains(document.activeElement)), true, 'focus stays in the overlay')
  await page.keyboard.press('Escape')
  await f.locator('.lb').waitFor({ state: 'detached' })
  await f.locator('form.cmp textarea').waitFor({ state: 'visible' })
  assert.equal(await f.locator('button.th[aria-label="Open red-square.png full size"]').evaluate((b) => b === document.activeElement), true)

  // The visitor deletes a message of theirs; the agent is told.
  await send(f, 'Oops, wrong chat')
  const mine = f.locator('.log .m:not(.p)').filter({ hasText: 'Oops, wrong chat' })
  await mine.locator('button.mx').click()
  await mine.locator('button', { hasText: 'Delete' }).click()
  await f.locator('.log .b.del', { hasText: 'Message deleted' }).waitFor({ timeout: 15000 })
  await until(() => ws.frames.find((x) => x.type === 'message.deleted' && x.message?.kind === 'deleted'), 'message.deleted at the agent')
  ws.close()
  assert.deepEqual(page.dialogs, [])
})

test('an agent sends a PDF that the visitor downloads byte for byte', { timeout: 120000 }, async () => {
  assert.ok(conv, 'the first test made the conversation')
  const up = await multipart('POST', '/api/v1/uploads', 'invoice 42.pdf', PDF, 'application/pdf')
  assert.equal(up.kind, 'document')
  await h.api('POST', `/api/v1/conversations/${conv}/messages`, { body: 'Here is your invoice.', client_msg_id: randomUUID(), attachments: [up.id] }, acme.token)
  await stored(f, 'Here is your invoice.').waitFor({ timeout: 15000 })
  const msg = f.locator('.log .m:not(.p)').filter({ hasText: 'Here is your invoice.' })
  const link = msg.locator('.fc a', { hasText: 'invoice 42.pdf' })
  await link.waitFor()
  assert.match(await msg.locator('.fm').textContent(), /^PDF · 3(\.\d)?\skB$/)
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
  assert.equal(download.suggestedFilename(), 'invoice 42.pdf')
  const got = readFileSync(await download.path())
  assert.ok(got.equals(PDF), `downloaded ${got.length} bytes, sent ${PDF.length}`)
})

test('an HTML file named .png: refused by default, and only a download card when "other" files are allowed', { timeout: 120000 }, async () => {
  // Default kinds leave "other" out: the server sniffs HTML and says 415, shown clearly.
  // Through the paperclip's file picker this time.
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), f.locator('button.clip').click()])
  assert.equal(chooser.isMultiple(), true)
  await chooser.setFiles({ name: 'cute-cat.png', mimeType: 'image/png', buffer: Buffer.from(HOSTILE) })
  await f.locator('.tray li.failed [role=alert]', { hasText: 'cute-cat.png: this type of file can’t be sent here.' }).waitFor({ timeout: 15000 })
  await f.locator('.tray li button').click()

  await h.patchSettings(acme.token, () => ({ attachments: { enabled: true, kinds: ['image', 'document', 'archive', 'media', 'other'] } }))
  const up = await multipart('POST', '/api/v1/uploads', 'cute-cat.png', Buffer.from(HOSTILE), 'image/png')
  assert.equal(up.kind, 'other')
  assert.equal(up.thumbnail_url || '', '')
  await h.api('POST', `/api/v1/conversations/${conv}/messages`, { body: 'A cat for you', client_msg_id: randomUUID(), attachments: [up.id] }, acme.token)
  const msg = f.locator('.log .m:not(.p)').filter({ hasText: 'A cat for you' })
  await msg.waitFor({ timeout: 15000 })
  await msg.locator('.fc a', { hasText: 'cute-cat.png' }).waitFor()
  assert.equal(await msg.locator('img').count(), 0, 'not rendered as an image')
  await axe(page, 'messages with files')
  assert.match(await msg.locator('.fm').textContent(), /^HTML · /)
  const r = await fetch(h.base + up.url)
  assert.match(r.headers.get('content-disposition') || '', /^attachment/)
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff')
  assert.deepEqual(page.dialogs, [])
})

test('the agent’s photo beside their messages and the tenant’s logo in the header', { timeout: 120000 }, async () => {
  const me = await multipart('PUT', '/api/v1/me/avatar', 'me.png', await pngBytes(page, 300, 200), 'image/png')
  assert.match(me.avatar_url, /^\/api\/v1\/media\/avatars\//)
  await multipart('PUT', '/api/v1/settings/logo', 'logo.png', await pngBytes(page, 400, 100), 'image/png')
  await h.api('POST', `/api/v1/conversations/${conv}/messages`, { body: 'Signed, your agent.', client_msg_id: randomUUID() }, acme.token)
  // The logo reaches the widget with its settings: at the next load.
  await page.reload()
  f = await openPanel(page)
  await stored(f, 'Signed, your agent.').waitFor({ timeout: 15000 })
  const pic = f.locator('.g.them.agent .who img.pic').last()
  await pic.waitFor()
  assert.ok((await pic.getAttribute('src')).startsWith(h.pub + '/api/v1/media/avatars/'))
  await until(() => pic.evaluate((i) => i.complete && i.naturalWidth > 0), 'the agent photo loaded')
  const logo = f.locator('header img.logo')
  await logo.waitFor({ timeout: 15000 })
  assert.ok((await logo.getAttribute('src')).startsWith(h.pub + '/api/v1/media/logos/'))
  await until(() => logo.evaluate((i) => i.complete && i.naturalWidth > 0), 'the logo loaded')
  assert.deepEqual(page.dialogs, [])
  await ctx.close()
})
