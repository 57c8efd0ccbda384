// The widget's e2e harness: a private Parley (../../e2e/parley.mjs), host
// test pages on another site, and Chromium through playwright-core.
// Cross-site, as in production: the browser meets the host pages as
// http://shop.test:P1 and Parley as http://parley.test:P2 (PARLEY_PUBLIC_URL),
// both mapped to loopback by --host-resolver-rules, so the panel's iframe is
// a third party with partitioned (or blocked) storage. evil.test is a site
// outside the allowed domains. Node's own fetch reaches Parley at 127.0.0.1.
// Env: see ../../e2e/parley.mjs.
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHmac, randomUUID } from 'node:crypto'
import { chromium } from 'playwright-core'
import { Parley, chromiumOptions, freePort, repoRoot, until } from '../../e2e/parley.mjs'

export { repoRoot, until }

export class Harness {
  /** start runs Parley (options as Parley.start's; { mail: true } adds Mailpit) and the host site. */
  async start(options = {}) {
    this.parley = new Parley()
    await this.parley.start('widget', { publicHost: 'parley.test', ...options })
    this.base = this.parley.base // for Node
    this.pub = this.parley.publicBase // for the browser
    const probe = await fetch(this.base + '/widget/wk_probe.js')
    if (!probe.ok) throw new Error(`/widget/<key>.js answers ${probe.status}: ${await probe.text()}`)

    // The host pages: another site. The same server is reachable as
    // shop.test (allowed in the domain test) and as evil.test (not allowed).
    this.hostPort = await freePort()
    this.host = `http://shop.test:${this.hostPort}`
    this.otherHost = `http://evil.test:${this.hostPort}`
    this.hostServer = createServer((req, res) => this.page(req, res))
    await new Promise((r) => this.hostServer.listen(this.hostPort, '127.0.0.1', r))

    this.launch = { ...chromiumOptions, args: [...chromiumOptions.args, '--host-resolver-rules=MAP shop.test 127.0.0.1, MAP parley.test 127.0.0.1, MAP evil.test 127.0.0.1'] }
    this.browser = await chromium.launch(this.launch)
  }

  async stop() {
    await this.browser?.close().catch(() => {})
    await new Promise((r) => (this.hostServer ? this.hostServer.close(r) : r()))
    await this.parley?.stop()
  }

  /**
   * strictBrowser is a Chromium whose profile blocks third-party cookies, as
   * Safari does by default: a cross-site frame's localStorage throws. End
   * the context it returns with dispose().
   */
  async strictBrowser() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-strict-'))
    mkdirSync(join(dir, 'Default'))
    writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }))
    const ctx = await chromium.launchPersistentContext(dir, this.launch)
    ctx.dispose = async () => {
      await ctx.close()
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
    }
    return ctx
  }

  /** A host page with the snippet: /page (or /other, a second page of the site)?k=<key>[&identify=<json>][&v=<cache-buster>]. */
  page(req, res) {
    const u = new URL(req.url, this.host)
    if (u.pathname !== '/page' && u.pathname !== '/other') {
      res.writeHead(404).end()
      return
    }
    const key = u.searchParams.get('k') || ''
    const identify = u.searchParams.get('identify')
    const js = (v) => JSON.stringify(v).replace(/</g, '\\u003c')
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Acme Outdoor — test shop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f8fafc;color:#0f172a}header{background:#0f172a;color:#fff;padding:16px 32px}main{max-width:720px;margin:32px auto;padding:0 32px}.card{background:#fff;border-radius:12px;padding:20px 24px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.1)}</style>
</head><body>
<header><strong>Acme Outdoor</strong></header>
<main><h1>Trail running shoes</h1>
<div class="card"><h2>Ridgeline 3</h2><p>Grippy, light and ready for wet rock. Free returns within 30 days.</p></div>
<div class="card"><h2>Shipping</h2><p>Orders before 2 pm leave the same day.</p></div></main>
<script>
window.Parley = window.Parley || function () { (window.Parley.q = window.Parley.q || []).push(arguments) };
window.__events = [];
['ready', 'open', 'close', 'message', 'error'].forEach(function (e) { Parley('on', e, function (d) { window.__events.push({ e: e, d: d }) }) });
${identify ? `Parley('identify', ${js(JSON.parse(identify))});` : ''}
Parley('setAttributes', { plan: 'pro', cart_items: 2 });
</script>
<script async src="${this.pub}/widget/${encodeURIComponent(key)}.js?v=${encodeURIComponent(u.searchParams.get('v') || '')}"></script>
</body></html>`
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(html)
  }

  pageURL(key, { identify, origin = this.host, v, path = '/page', hash = '' } = {}) {
    const q = new URLSearchParams({ k: key })
    if (identify) q.set('identify', JSON.stringify(identify))
    if (v) q.set('v', String(v))
    return `${origin}${path}?${q}${hash}`
  }

  /** Calls the REST API; throws with the problem detail on failure. */
  async api(method, path, body, token) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (token) headers.Authorization = 'Bearer ' + token
    const r = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    const data = text ? JSON.parse(text) : null
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
    return data
  }

  async signup(name) {
    const email = `owner-${randomUUID().slice(0, 8)}@example.com`
    const r = await this.api('POST', '/api/v1/signup', { business_name: name, name: 'Olivia Owner', email, password: 'correct horse battery staple' })
    return { key: r.tenant.widget_key, token: r.access_token, tenant: r.tenant, user: r.user }
  }

  async patchSettings(token, fn) {
    const s = await this.api('GET', '/api/v1/settings', undefined, token)
    const patch = fn(s)
    return this.api('PATCH', '/api/v1/settings', patch, token)
  }
}

/** newPage records dialogs (an XSS would fire one) and console output. */
export async function newPage(ctx) {
  const page = await ctx.newPage()
  page.dialogs = []
  page.logs = []
  page.on('dialog', (d) => {
    page.dialogs.push(d.message())
    d.dismiss().catch(() => {})
  })
  page.on('console', (m) => page.logs.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (e) => page.logs.push(`pageerror: ${e.message}`))
  return page
}

/** stored is the visitor's stored (not pending) message bubble with text. */
export const stored = (f, text) => f.locator('.log .m:not(.p) .b').filter({ hasText: text }).first()

/** send types text into the panel's composer and waits until it is stored. */
export async function send(f, text) {
  const box = f.locator('form.cmp textarea')
  await box.fill(text)
  await box.press('Enter')
  await stored(f, text).waitFor({ timeout: 15000 })
}

export const launcher = (page) => page.locator('[data-parley] button.lc')
export const frame = (page) => page.frameLocator('[data-parley] iframe')

/** openPanel clicks the launcher and waits for the panel's composer. */
export async function openPanel(page) {
  await launcher(page).click()
  const f = frame(page)
  await f.locator('form.cmp textarea').waitFor({ state: 'visible', timeout: 20000 })
  return f
}

export const userHash = (secret, id) => createHmac('sha256', secret).update(id).digest('hex')
export { randomUUID }
