/** The languages the widget speaks. */
export const locales = ['en', 'fr', 'de', 'es'] as const
export type Locale = (typeof locales)[number]

/**
 * pickLocale returns the tenant's forced locale when it is supported,
 * otherwise the first of the browser's languages that is, otherwise English.
 */
export function pickLocale(forced: string | null | undefined, browser: readonly string[]): Locale {
  const ok = (l: string | null | undefined) => {
    const p = (l || '').toLowerCase().split(/[-_]/)[0]
    return (locales as readonly string[]).includes(p) ? (p as Locale) : null
  }
  const f = ok(forced)
  if (f) return f
  for (const l of browser) {
    const b = ok(l)
    if (b) return b
  }
  return 'en'
}

/** The browser's preferred languages. */
export function browserLanguages(): string[] {
  const n = navigator
  return n.languages && n.languages.length ? [...n.languages] : [n.language || 'en']
}
