import { describe, expect, it } from 'vitest'
import { originAllowed, originMatches, parseOrigin } from '../src/shared/origin'
import { accept, checkHost } from '../src/panel/host'

describe('origin matching (W1)', () => {
  const allowed = ['https://tenant.com', 'http://localhost:3000', 'https://*.acme.io']

  it('accepts exact origins and subdomains of a wildcard', () => {
    expect(originAllowed('https://tenant.com', allowed)).toBe(true)
    expect(originAllowed('http://localhost:3000', allowed)).toBe(true)
    expect(originAllowed('https://shop.acme.io', allowed)).toBe(true)
    expect(originAllowed('https://a.b.acme.io', allowed)).toBe(true)
  })

  it('refuses suffix, prefix and substring tricks', () => {
    for (const o of ['https://tenant.com.evil.com', 'https://eviltenant.com', 'https://tenant.co', 'https://evil.com/https://tenant.com', 'https://acme.io.evil.com', 'https://evilacme.io', 'https://acme.io']) {
      expect(originAllowed(o, allowed), o).toBe(false)
    }
  })

  it('refuses a homoglyph host (another punycode string)', () => {
    // "tеnant.com" with a Cyrillic е arrives as punycode from the browser.
    expect(originAllowed('https://xn--tnant-2ve.com', allowed)).toBe(false)
    expect(originMatches('https://xn--bcher-kva.de', 'https://xn--bcher-kva.de')).toBe(true)
  })

  it('checks scheme and port', () => {
    expect(originAllowed('http://tenant.com', allowed)).toBe(false)
    expect(originAllowed('https://tenant.com:8443', allowed)).toBe(false)
    expect(originAllowed('http://localhost:3001', allowed)).toBe(false)
    expect(originAllowed('https://localhost:3000', allowed)).toBe(true) // CSP's secure upgrade
    expect(originMatches('https://tenant.com', 'https://tenant.com:443')).toBe(true)
  })

  it('refuses non-origins', () => {
    for (const o of ['null', '', 'file://', 'https://tenant.com/', 'javascript:alert(1)', 'https://*.acme.io']) {
      expect(originAllowed(o, allowed), o).toBe(false)
      expect(originAllowed(o, []), o).toBe(false)
    }
    expect(parseOrigin('https://a.b')).toEqual({ s: 'https', h: 'a.b', p: '' })
  })

  it('allows any origin when the list is empty', () => {
    expect(originAllowed('https://anything.example', [])).toBe(true)
  })
})

describe('host check in the panel', () => {
  it('trusts the claimed origin only when the browser agrees and it is allowed', () => {
    expect(checkHost('https://tenant.com', ['https://tenant.com'], ['https://tenant.com'])).toEqual({ ok: true, origin: 'https://tenant.com' })
    expect(checkHost('https://tenant.com', undefined, [])).toEqual({ ok: true, origin: 'https://tenant.com' })
    expect(checkHost('https://tenant.com', ['https://evil.com'], [])).toEqual({ ok: false, reason: 'ancestor' })
    expect(checkHost('https://evil.com', ['https://evil.com'], ['https://tenant.com'])).toEqual({ ok: false, reason: 'allowed' })
    expect(checkHost('*', undefined, [])).toEqual({ ok: false, reason: 'origin' })
  })

  it('accepts messages only from the parent window at the exact origin', () => {
    const parent = {}
    expect(accept({ origin: 'https://tenant.com', source: parent }, 'https://tenant.com', parent)).toBe(true)
    expect(accept({ origin: 'https://tenant.com.evil.com', source: parent }, 'https://tenant.com', parent)).toBe(false)
    expect(accept({ origin: 'https://tenant.com', source: {} }, 'https://tenant.com', parent)).toBe(false)
  })
})
