import type { CannedResponse } from '../api/types';

/**
 * cannedQuery returns the text after a leading "/" when the composer holds a
 * canned-response command ("/ship" → "ship"), or null when it does not.
 * Only the start of the draft counts, and a space ends the command.
 */
export function cannedQuery(draft: string): string | null {
  const m = /^\/([^\s/]*)$/.exec(draft);
  return m ? m[1] : null;
}

/**
 * filterCanned ranks canned responses for a query: shortcut prefix matches
 * first, then shortcut substrings, then matches in the body; each group in
 * shortcut order. Matching ignores case and accents.
 */
export function filterCanned(list: CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const q = fold(query.trim());
  const sorted = [...list].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  if (!q) return sorted.slice(0, limit);
  const prefix: CannedResponse[] = [];
  const inShortcut: CannedResponse[] = [];
  const inBody: CannedResponse[] = [];
  for (const c of sorted) {
    const s = fold(c.shortcut);
    if (s.startsWith(q)) prefix.push(c);
    else if (s.includes(q)) inShortcut.push(c);
    else if (fold(c.body).includes(q)) inBody.push(c);
  }
  return [...prefix, ...inShortcut, ...inBody].slice(0, limit);
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
