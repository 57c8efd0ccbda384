import { ApiError } from '../api/http';
import { t, type MessageKey } from '../i18n';

export interface FormErrors {
  /** Messages by form field name. */
  fields: Record<string, string>;
  /** A message for the whole form, when the error names no field of it. */
  form?: string;
}

/**
 * formErrors maps an API failure to the form's fields. The API names the
 * field it rejected in `field` (a JSON name, possibly a path such as
 * "widget.color" or "business_hours.weekly.mon[0].open"); aliases map such
 * names to the form's own. An error about a field the form does not have,
 * or about no field, becomes the form-level message.
 */
export function formErrors(err: unknown, fields: readonly string[], aliases: Record<string, string> = {}): FormErrors {
  if (!(err instanceof ApiError)) return { fields: {}, form: t('error.unexpected') };
  const message = errorMessage(err);
  if (err.field) {
    const name = resolveField(err.field, fields, aliases);
    if (name) return { fields: { [name]: message } };
  }
  return { fields: {}, form: message };
}

function resolveField(field: string, fields: readonly string[], aliases: Record<string, string>): string | undefined {
  if (aliases[field]) return aliases[field];
  if (fields.includes(field)) return field;
  // Walk up a path: "widget.color" → "color"; "allowed_domains[2]" → "allowed_domains".
  const parts = field.split(/[.[\]]+/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if (aliases[p]) return aliases[p];
    if (fields.includes(p)) return p;
  }
  return undefined;
}

const codeMessages: Record<string, MessageKey> = {
  network: 'error.network',
  rate_limited: 'error.rateLimited',
  forbidden: 'error.forbidden',
  unauthenticated: 'error.unauthenticated',
};

/** errorMessage is a sentence to show for an API failure. */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  if (err.status === 0) return t('error.network');
  if (err.status >= 500) return t('error.server');
  if (err.detail) return capitalize(err.detail);
  const key = codeMessages[err.code];
  return key ? t(key) : t('error.unexpected');
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
