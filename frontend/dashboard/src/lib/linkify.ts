// Finding web links in message text, for the inbox to show as links. Only
// http(s) URLs are found (never javascript:, data: or the like), and the
// parts are plain strings that React renders as text: nothing here is HTML.

export type TextPart = { text: string; href?: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?*'"»”’]+$/;

/** linkParts splits text into plain runs and http(s) links, in order. */
export function linkParts(text: string): TextPart[] {
  const out: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    const href = httpHref(url);
    if (!href) continue;
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at) });
    out.push({ text: url, href });
    last = at + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/**
 * trimUrl drops what prose puts after a link: a full stop, a comma, a
 * closing bracket that was not opened inside the URL ("(see https://x.io/a)").
 */
function trimUrl(url: string): string {
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    if (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    if (url.endsWith(']') && count(url, '[') < count(url, ']')) url = url.slice(0, -1);
    if (url === before) return url;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

function httpHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : undefined;
  } catch {
    return undefined;
  }
}
