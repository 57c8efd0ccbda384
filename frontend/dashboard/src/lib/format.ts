import { locale } from '../i18n';

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(locale(), { hour: 'numeric', minute: '2-digit' });
}

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleDateString(locale(), { dateStyle: 'medium' });
}

/** relativeTime is "now", "5m", "3h", "Tue" or "12 Mar" — compact, for lists. */
export function relativeTime(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const then = Date.parse(iso);
  if (!then) return '';
  const s = Math.max(0, (now - then) / 1000);
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  const d = new Date(then);
  if (s < 6 * 86400) return d.toLocaleDateString(locale(), { weekday: 'short' });
  return d.toLocaleDateString(locale(), { day: 'numeric', month: 'short' });
}

/** localTimeIn is the current time in a time zone ("" when the zone is unknown). */
export function localTimeIn(tz: string | undefined, now = Date.now()): string {
  if (!tz) return '';
  try {
    return new Date(now).toLocaleTimeString(locale(), { hour: 'numeric', minute: '2-digit', timeZone: tz, timeZoneName: 'short' });
  } catch {
    return '';
  }
}

/** browserName turns a user agent into "Chrome 126 on macOS". */
export function browserName(ua: string | undefined): string {
  if (!ua) return '';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Android/.test(ua)
          ? 'Android'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : '';
  const rules: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
    [/Chrome\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* .*Safari/, 'Safari'],
  ];
  for (const [re, name] of rules) {
    const m = re.exec(ua);
    if (m) return os ? `${name} ${m[1]} on ${os}` : `${name} ${m[1]}`;
  }
  return os || ua.slice(0, 60);
}

/** safeHttpUrl returns url when it is http(s), so a visitor-supplied "javascript:" never becomes a link. */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * initials are the first letters of a name's first and last words. Words that
 * do not start with a letter are skipped, so a generated name such as
 * "Visitor 35EF" gives "V", not "V3".
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (w: string) => Array.from(w)[0] ?? '';
  const lettered = words.filter((w) => /^\p{L}/u.test(w));
  if (!lettered.length) return words.length ? first(words[0]).toUpperCase() : '?';
  const last = lettered.length > 1 ? first(lettered[lettered.length - 1]) : '';
  return (first(lettered[0]) + last).toUpperCase();
}

/** avatarHue is a stable colour for a name or id. */
export function avatarHue(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) % 360;
  return h;
}

/**
 * formatSize is a file size in binary units with the usual labels ("10 MB"
 * for 10 × 1024², as the plans' limits are set), in the viewer's locale.
 */
export function formatSize(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, n || 0);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 || Number.isInteger(v) ? 0 : 1;
  return `${v.toLocaleString(locale(), { maximumFractionDigits: digits })} ${units[i]}`;
}
