import type { Locale } from '../shared/locale'

/** The loader's few strings: [open, close, dismiss, unread (n), chat title]. */
export const loaderStrings: Record<Locale, [string, string, string, string, string]> = {
  en: ['Open chat', 'Close chat', 'Dismiss', '{n} unread', 'Chat'],
  fr: ['Ouvrir le chat', 'Fermer le chat', 'Ignorer', '{n} non lu(s)', 'Chat'],
  de: ['Chat öffnen', 'Chat schließen', 'Schließen', '{n} ungelesen', 'Chat'],
  es: ['Abrir chat', 'Cerrar chat', 'Descartar', '{n} sin leer', 'Chat'],
}
