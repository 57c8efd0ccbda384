import { en, type Messages } from './en';

export type MessageKey = keyof typeof en;

const catalogs: Record<string, Messages> = { en };
let current: Messages = en;
let currentLocale = 'en';

/** setLocale switches the language when a catalog for it exists (English otherwise). */
export function setLocale(locale: string): void {
  const base = locale.toLowerCase().split('-')[0];
  current = catalogs[locale] ?? catalogs[base] ?? en;
  currentLocale = catalogs[locale] ? locale : catalogs[base] ? base : 'en';
}

export function locale(): string {
  return currentLocale;
}

/** t returns the string for key with {placeholders} filled in. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const s = current[key] ?? en[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** tn picks the ".one" or ".other" form of key for count. */
export function tn(key: string, count: number, vars?: Record<string, string | number>): string {
  const form = new Intl.PluralRules(currentLocale).select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}` as MessageKey, { count, ...vars });
}
