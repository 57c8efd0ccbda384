// Reading bot messages for the inbox: quick_replies and card payloads (any
// JSON may arrive: everything is checked and kept as plain strings), which
// option a visitor's message chose, and how long a queued visitor waits.
import type { Message } from '../api/types';
import { locale, t } from '../i18n';

export interface QuickReplies {
  text: string;
  options: { label: string; value: string }[];
}

export interface Card {
  title: string;
  text: string;
  imageUrl?: string;
  buttons: { label: string; value?: string; url?: string }[];
}

const str = (v: unknown, max = 2000) => (typeof v === 'string' ? v.slice(0, max) : '');

function object(p: unknown): Record<string, unknown> | null {
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return null;
    }
  }
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : null;
}

export function quickReplies(p: unknown): QuickReplies | null {
  const o = object(p);
  if (!o || !Array.isArray(o.options)) return null;
  const options = o.options
    .map((x) => {
      const r = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
      const label = str(r.label, 200);
      return { label, value: str(r.value) || label };
    })
    .filter((x) => x.label);
  return { text: str(o.text), options };
}

export function card(p: unknown): Card | null {
  const o = object(p);
  if (!o) return null;
  const buttons = (Array.isArray(o.buttons) ? o.buttons : [])
    .map((x) => {
      const r = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
      return { label: str(r.label, 200), value: str(r.value) || undefined, url: str(r.url) || undefined };
    })
    .filter((b) => b.label);
  const c: Card = { title: str(o.title, 300), text: str(o.text), buttons };
  const img = str(o.image_url);
  if (img) c.imageUrl = img;
  return c.title || c.text || buttons.length || c.imageUrl ? c : null;
}

/** choices are the values a bot message offered, with their labels. */
export function choices(m: Message): Map<string, string> {
  const out = new Map<string, string>();
  if (m.kind === 'quick_replies') for (const o of quickReplies(m.payload)?.options ?? []) out.set(o.value, o.label);
  if (m.kind === 'card') for (const b of card(m.payload)?.buttons ?? []) if (b.value) out.set(b.value, b.label);
  return out;
}

/**
 * chosenLabel is the label of the option a visitor's message picked (a click
 * sends the option's value as a normal message), when the last bot message
 * before it offered that value under another label: "handoff" → "Talk to a
 * person".
 */
export function chosenLabel(messages: readonly Message[], i: number): string | undefined {
  const m = messages[i];
  if (!m || m.author.type !== 'visitor') return undefined;
  for (let j = i - 1; j >= 0; j--) {
    const p = messages[j];
    if (p.private || p.author.type === 'system') continue;
    if (p.author.type !== 'bot' && p.author.type !== 'agent') return undefined;
    const label = choices(p).get(m.body.trim());
    return label && label !== m.body.trim() ? label : undefined;
  }
  return undefined;
}

/** waitText is an expected wait in words: "under a minute", "3 minutes", "2 hours". */
export function waitText(seconds: number | undefined, loc = locale()): string {
  if (!seconds || seconds <= 0 || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return t('handoff.wait.minute');
  const unit = (n: number, u: 'minute' | 'hour') => {
    try {
      return new Intl.NumberFormat(loc, { style: 'unit', unit: u, unitDisplay: 'long' }).format(n);
    } catch {
      return `${n} ${u}${n === 1 ? '' : 's'}`;
    }
  };
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return unit(minutes, 'minute');
  return unit(Math.round(minutes / 60), 'hour');
}
