// npm run size: the budgets of issue 4 on the production build, gzip -9
// (what the gateway serves): loader ≤ 5 KB with a realistic tenant config
// inlined, panel (all its JS and CSS) ≤ 35 KB. Also checks the built code
// for HTML sinks, "*" postMessage targets and third-party URLs.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../../../services/gateway/internal/widgetweb/dist', import.meta.url))
const LOADER_BUDGET = 5 * 1024
const PANEL_BUDGET = 35 * 1024
const gz = (b) => gzipSync(b, { level: 9 }).length
let failed = false
const check = (ok, text) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${text}`)
  if (!ok) failed = true
}

if (!existsSync(join(dist, 'loader.js')) || !existsSync(join(dist, 'frame.html'))) {
  console.error('no build in ' + dist + ': run `npm run build` first')
  process.exit(1)
}

const config = JSON.stringify({
  key: 'wk_0123456789abcdef01234567',
  origin: 'https://chat.parley.example',
  name: 'Acme Outdoor Equipment & Supplies',
  color: '#2563eb',
  position: 'right',
  launcherText: 'Chat with us',
  greetingAnonymous: "Hi there! Questions about sizes, shipping or returns? We're here to help.",
  greetingIdentified: 'Hi {name}! How can we help today?',
  greetingDelay: 5,
  theme: 'auto',
  locale: '',
  allowed: ['https://shop.acme.example', 'https://*.acme.example', 'https://acme.example'],
})
const loader = readFileSync(join(dist, 'loader.js'), 'utf8').replace('__PARLEY_CONFIG__', config)
const loaderGz = gz(loader)
check(loaderGz <= LOADER_BUDGET, `loader: ${loaderGz} B gzip (${loader.length} B raw), budget ${LOADER_BUDGET} B`)

const html = readFileSync(join(dist, 'frame.html'), 'utf8')
const refs = [...html.matchAll(/(?:src|href)="\/widget\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
const assets = readdirSync(join(dist, 'assets')).map((f) => 'assets/' + f)
check(refs.length > 0 && assets.every((a) => refs.includes(a)), `frame.html references every built asset (${assets.join(', ')})`)
let panel = 0
for (const a of assets) {
  const size = gz(readFileSync(join(dist, a)))
  console.log(`     ${a}: ${size} B gzip`)
  panel += size
}
check(panel <= PANEL_BUDGET, `panel JS+CSS: ${panel} B gzip, budget ${PANEL_BUDGET} B (frame.html itself: ${gz(html)} B)`)

for (const f of ['loader.js', ...assets.filter((a) => a.endsWith('.js'))]) {
  const code = readFileSync(join(dist, f), 'utf8')
  const sinks = code.match(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function\()/g)
  check(!sinks, `${f}: no HTML or code sinks${sinks ? ' — found ' + [...new Set(sinks)].join(', ') : ''}`)
  check(!/postMessage\([^)]*,\s*["'`]\*["'`]\)/.test(code), `${f}: no "*" postMessage target`)
  const urls = [...new Set(code.match(/https?:\/\/[a-z0-9.-]+/gi) || [])].filter((u) => u !== 'http://www.w3.org')
  check(urls.length === 0, `${f}: no third-party URLs${urls.length ? ' — found ' + urls.join(', ') : ''}`)
}
for (const f of assets.filter((a) => a.endsWith('.css'))) {
  const css = readFileSync(join(dist, f), 'utf8')
  check(!/@import|url\(\s*["']?https?:/i.test(css), `${f}: no external fonts or stylesheets`)
}
if (failed) process.exit(1)
