// The panel's entry point (the iframe at /widget/<key>/frame). The gateway
// puts {key, allowed} in <script type="application/json" id="parley-config">.
import './panel.css'
import { Panel } from './panel'
import { storage, kvTokens, hostTokens } from './storage'
import { accept, checkHost } from './host'
import { strings } from './i18n'
import { pickLocale, browserLanguages } from '../shared/locale'
import { isMsg, cleanAttributes, cleanIdentity, cleanSaved, type PanelMsg } from '../shared/protocol'

interface FrameConfig {
  key: string
  allowed: string[]
}

const root = document.getElementById('app') as HTMLElement
let cfg: FrameConfig = { key: '', allowed: [] }
try {
  cfg = JSON.parse(document.getElementById('parley-config')?.textContent || '{}')
} catch {
  /* an empty key shows the unavailable note */
}
const embedded = window.parent !== window
const claimed = new URLSearchParams(location.hash.slice(1)).get('origin') || ''
const check = embedded ? checkHost(claimed, location.ancestorOrigins, cfg.allowed || []) : ({ ok: true, origin: '' } as const)

if (!check.ok || !cfg.key) {
  const t = strings[pickLocale('', browserLanguages())]
  const p = document.createElement('p')
  p.className = 'note err'
  p.setAttribute('role', 'alert')
  p.textContent = check.ok ? t.unavailable : t.notHere
  root.replaceChildren(p)
} else {
  const hostOrigin = check.origin
  const host = (m: PanelMsg) => {
    if (embedded) window.parent.postMessage(m, hostOrigin)
  }
  const kv = storage()
  // Embedded, the visitor token lives in the host page's storage (the loader's).
  const fromHost = hostTokens((saved) => host({ parley: 1, type: 'token', saved }))
  const tokens = embedded ? fromHost : kvTokens(kv, `parley:${cfg.key}:visitor`)
  const panel = new Panel({ key: cfg.key, base: location.origin, kv, tokens, host, embedded, root })
  if (!embedded) {
    panel.init(null, {}, matchMedia('(prefers-color-scheme: dark)').matches, '', true, false)
  } else {
    addEventListener('message', (e: MessageEvent) => {
      if (!accept(e, hostOrigin, window.parent) || !isMsg(e.data)) return
      const d = e.data as Record<string, unknown>
      switch (d.type) {
        case 'init':
          fromHost.load(cleanSaved(d.saved))
          panel.named(typeof d.name === 'string' ? d.name : '')
          panel.init(cleanIdentity(d.identity), cleanAttributes(d.attributes), d.dark === true, typeof d.url === 'string' ? d.url : '', d.open === true, d.reset === true, typeof d.conv === 'string' ? d.conv : '')
          break
        case 'identify':
          panel.identify(cleanIdentity(d.identity))
          break
        case 'attributes':
          panel.attributes(cleanAttributes(d.attributes))
          break
        case 'reset':
          panel.reset()
          break
        case 'visible':
          panel.setVisible(d.open === true)
          break
        case 'conv':
          if (typeof d.conv === 'string') panel.show(d.conv)
          break
        case 'scheme':
          panel.setDark(d.dark === true)
          break
      }
    })
    host({ parley: 1, type: 'ready' })
  }
}
