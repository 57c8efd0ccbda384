// The panel's entry point (the iframe at /widget/<key>/frame). The gateway
// puts {key, allowed} in <script type="application/json" id="parley-config">.
import './panel.css'
import { Panel } from './panel'
import { storage } from './storage'
import { accept, checkHost } from './host'
import { strings } from './i18n'
import { pickLocale, browserLanguages } from '../shared/locale'
import { isMsg, cleanAttributes, cleanIdentity, type PanelMsg } from '../shared/protocol'

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
  const panel = new Panel({ key: cfg.key, base: location.origin, kv: storage(), host, embedded, root })
  if (!embedded) {
    panel.init(null, {}, matchMedia('(prefers-color-scheme: dark)').matches, '', true, false)
  } else {
    addEventListener('message', (e: MessageEvent) => {
      if (!accept(e, hostOrigin, window.parent) || !isMsg(e.data)) return
      const d = e.data as Record<string, unknown>
      switch (d.type) {
        case 'init':
          panel.init(cleanIdentity(d.identity), cleanAttributes(d.attributes), d.dark === true, typeof d.url === 'string' ? d.url : '', d.open === true, d.reset === true)
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
        case 'scheme':
          panel.setDark(d.dark === true)
          break
      }
    })
    host({ parley: 1, type: 'ready' })
  }
}
