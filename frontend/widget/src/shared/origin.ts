// Exact origin checks, shared by the loader (host page) and the panel (iframe).
//
// Allowed domains arrive normalised by the tenant service as origins:
// "https://shop.example.com", "http://localhost:3000" or "https://*.acme.io".
// A browser origin (location.origin, MessageEvent.origin) is lower-case,
// punycode and omits the default port. Matching is exact, mirroring CSP
// frame-ancestors: no substring or suffix tricks ("tenant.com.evil.com"),
// and a homoglyph host is a different punycode string, so it never matches.

interface Origin {
  s: string // scheme
  h: string // host
  p: string // port, "" for the scheme's default
}

const defaults: Record<string, string> = { http: '80', https: '443' }

export function parseOrigin(o: string): Origin | null {
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/.exec(o)
  if (!m) return null
  const p = m[4] && m[4] !== defaults[m[1]] ? m[4] : ''
  return { s: m[1], h: (m[2] || '') + m[3], p }
}

/** Whether a browser origin matches one allowed-domain entry. */
export function originMatches(origin: string, allowed: string): boolean {
  const o = parseOrigin(origin)
  const a = parseOrigin(allowed.toLowerCase())
  if (!o || !a || o.h.startsWith('*.')) return false
  // CSP lets an http source match https on the same host (a secure upgrade).
  const schemeOK = o.s === a.s || (a.s === 'http' && o.s === 'https')
  const portOK = o.p === a.p
  if (!schemeOK || !portOK) return false
  if (a.h.startsWith('*.')) {
    const base = a.h.slice(1) // ".acme.io"
    return o.h.length > base.length && o.h.endsWith(base)
  }
  return o.h === a.h
}

/** Whether origin may use the widget: any origin when the list is empty. */
export function originAllowed(origin: string, allowed: readonly string[] | null | undefined): boolean {
  if (!allowed || allowed.length === 0) {
    const o = parseOrigin(origin)
    return o !== null && !o.h.startsWith('*.')
  }
  return allowed.some((a) => originMatches(origin, a))
}
