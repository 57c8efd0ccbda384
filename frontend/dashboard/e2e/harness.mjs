// The dashboard's e2e harness: a private Parley (../../e2e/parley.mjs), a
// "customer website" with the widget snippet on another site (shop.test,
// mapped to loopback by Chromium's --host-resolver-rules, so the widget's
// frame is third-party as in production), and Chromium through
// playwright-core. Env: see ../../e2e/parley.mjs.
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'
import { Parley, chromiumOptions, freePort, repoRoot, until } from '../../e2e/parley.mjs'

export { repoRoot, until }
const require = createRequire(import.meta.url)
export const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export class Harness {
  /** start runs Parley (options as Parley.start's; { mail: true } adds Mailpit) and the customer's site. */
  async start(options = {}) {
    this.parley = new Parley()
    await this.parley.start('dashboard', options)
    this.base = this.parley.base

    // The customer's website: another port, so another origin.
    this.sitePort = await freePort()
    this.site = `http://shop.test:${this.sitePort}`
    this.snippets = new Map()
    this.siteServer = createServer((req, res) => this.serveSite(req, res))
    await new Promise((r) => this.siteServer.listen(this.sitePort, '127.0.0.1', r))

    this.browser = await chromium.launch({ ...chromiumOptions, args: [...chromiumOptions.args, '--host-resolver-rules=MAP shop.test 127.0.0.1'] })
  }

  async stop() {
    await this.browser?.close().catch(() => {})
    await new Promise((r) => (this.siteServer ? this.siteServer.close(r) : r()))
    await this.parley?.stop()
  }

  /** publish puts a snippet (pasted from the dashboard) on a customer page; returns its URL. */
  publish(snippet) {
    const id = randomUUID().slice(0, 8)
    this.snippets.set(id, snippet)
    return `${this.site}/shop/${id}`
  }

  serveSite(req, res) {
    const m = /^\/shop\/([a-z0-9-]+)$/.exec(new URL(req.url, this.site).pathname)
    const snippet = m && this.snippets.get(m[1])
    if (!snippet) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Northwind Bikes</title></head><body><header><strong>Northwind Bikes</strong></header>
<main><h1>Commuter bikes</h1><p>Free shipping over $50. Orders before 2 pm leave the same day.</p></main>
${snippet}
</body></html>`)
  }

  /** api calls Parley's REST API and throws with the problem on failure. */
  async api(method, path, body, token, headers = {}) {
    const h = { Accept: 'application/json', ...headers }
    if (body !== undefined) h['Content-Type'] = 'application/json'
    if (token) h.Authorization = 'Bearer ' + token
    const r = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    if (!r.ok) {
      const err = new Error(`${method} ${path}: ${r.status} ${text}`)
      err.status = r.status
      throw err
    }
    return text ? JSON.parse(text) : null
  }

  /** A visitor driven through the widget REST API (for sample data and cross-checks). */
  async visitor(widgetKey, profile = {}, { identity, userAgent } = {}) {
    const hdr = { Origin: this.site, ...(userAgent ? { 'User-Agent': userAgent } : {}) }
    const s = await this.api('POST', `/api/v1/widget/${encodeURIComponent(widgetKey)}/session`, identity ? { identity } : {}, undefined, hdr)
    const token = s.visitor_token
    if (Object.keys(profile).length) await this.api('PATCH', '/api/v1/widget/visitor', profile, token, hdr)
    let convId = null
    return {
      token,
      send: async (body) => {
        const client_msg_id = randomUUID()
        if (!convId) {
          const r = await this.api('POST', '/api/v1/widget/conversations', { body, client_msg_id }, token, hdr)
          convId = r.conversation.id
          return r.message
        }
        return this.api('POST', `/api/v1/widget/conversations/${convId}/messages`, { body, client_msg_id }, token, hdr)
      },
      messages: async () => (convId ? (await this.api('GET', `/api/v1/widget/conversations/${convId}/messages?after_seq=0`, undefined, token, { Origin: this.site })).messages : []),
      get conversationId() {
        return convId
      },
    }
  }

  /** newPage records console errors and CSP violations, which fail the journeys. */
  async newPage(ctx) {
    const page = await ctx.newPage()
    page.problems = []
    page.on('console', (m) => {
      const text = m.text()
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404)/.test(text)) page.problems.push(text)
    })
    page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`))
    // A 5xx, or a 400 on a read, means the dashboard built a bad request
    // (every service runs in these tests, notify included).
    page.badResponses = []
    page.on('response', (r) => {
      const req = r.request()
      if (!r.url().includes('/api/')) return
      if (r.status() >= 500 || (r.status() === 400 && req.method() === 'GET')) page.badResponses.push(`${r.status()} ${req.method()} ${r.url()}`)
    })
    return page
  }
}

/** axe runs axe-core in the page (through DevTools, so the strict CSP stays on) and returns serious/critical violations. */
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export { randomUUID }
