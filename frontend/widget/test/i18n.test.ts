import { describe, expect, it } from 'vitest'
import { pickLocale } from '../src/shared/locale'
import { strings, fill } from '../src/panel/i18n'
import { loaderStrings } from '../src/loader/strings'
import { backAt } from '../src/panel/time'

describe('locale choice', () => {
  it('uses the tenant locale when set', () => {
    expect(pickLocale('de', ['fr-FR', 'en'])).toBe('de')
  })
  it('otherwise the first supported browser language', () => {
    expect(pickLocale('', ['pt-BR', 'fr-CA', 'de'])).toBe('fr')
    expect(pickLocale(null, ['es_ES'])).toBe('es')
    expect(pickLocale('', ['DE-at'])).toBe('de')
  })
  it('falls back to English', () => {
    expect(pickLocale('', ['ja', 'zh-CN'])).toBe('en')
    expect(pickLocale('xx', [])).toBe('en')
  })
})

describe('translations', () => {
  it('cover every key in every language', () => {
    const keys = Object.keys(strings.en).sort()
    for (const [l, s] of Object.entries(strings)) {
      expect(Object.keys(s).sort(), l).toEqual(keys)
      for (const [k, v] of Object.entries(s)) expect(v, `${l}.${k}`).not.toBe('')
    }
    for (const l of Object.keys(strings)) expect(loaderStrings[l as keyof typeof loaderStrings]).toHaveLength(5)
  })
  it('fill replaces placeholders only', () => {
    expect(fill('Hi {n}, {x}', { n: 'Ada' })).toBe('Hi Ada, {x}')
  })
})

describe('back at', () => {
  const now = new Date('2026-03-02T15:00:00Z') // a Monday
  it('says today, tomorrow or the weekday', () => {
    expect(backAt('2026-03-02T17:00:00Z', now, 'en', strings.en, 'UTC')).toMatch(/^Back today at 5:00\s?PM$/)
    expect(backAt('2026-03-03T09:00:00Z', now, 'en', strings.en, 'UTC')).toMatch(/^Back tomorrow at 9:00\s?AM$/)
    expect(backAt('2026-03-05T09:00:00Z', now, 'en', strings.en, 'UTC')).toMatch(/^Back on Thursday at 9:00\s?AM$/)
    expect(backAt('2026-03-03T09:00:00Z', now, 'fr', strings.fr, 'UTC')).toBe('De retour demain à 9:00')
    expect(backAt('2026-03-05T09:00:00Z', now, 'de', strings.de, 'UTC')).toBe('Wieder da am Donnerstag um 9:00')
  })
  it('without a next opening, says soon', () => {
    expect(backAt(null, now, 'en', strings.en)).toBe(strings.en.backSoon)
    expect(backAt('nonsense', now, 'en', strings.en)).toBe(strings.en.backSoon)
  })
})
