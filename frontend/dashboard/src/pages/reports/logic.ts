// The Reports page's pure parts: durations, comparisons, CSV, the URL state.
import type { Granularity } from '../../api/types';

/** formatDuration writes seconds as "45 s", "1 min 30 s", "2 h 5 min" or "3 d 4 h"; null is "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
  const h = Math.round(m / 60);
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`;
}

export interface Comparison {
  /** up, down or same; none when either value is missing. */
  direction: 'up' | 'down' | 'same' | 'none';
  arrow: '▲' | '▼' | '';
  /** Whether the change is good news, given which way is good; null when nothing changed. */
  good: boolean | null;
}

/** compare says how value moved from previous, and whether that is good when higher is (or is not) better. */
export function compare(value: number | null, previous: number | null, higherIsBetter: boolean): Comparison {
  if (value == null || previous == null) return { direction: 'none', arrow: '', good: null };
  if (value === previous) return { direction: 'same', arrow: '', good: null };
  const up = value > previous;
  return { direction: up ? 'up' : 'down', arrow: up ? '▲' : '▼', good: up === higherIsBetter };
}

/** csvCell quotes a value when it holds a comma, quote or line break (RFC 4180). */
function csvCell(v: string | number | null | undefined): string {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** toCSV writes a header and rows as CSV with CRLF line ends. */
export function toCSV(header: string[], rows: (string | number | null | undefined)[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** downloadCSV saves text as a .csv file through a temporary link. */
export function downloadCSV(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export interface ReportQuery {
  from: string;
  to: string;
  agent_id: string;
  label: string;
  business_hours: boolean;
  granularity: Granularity;
}

export const PRESETS = [7, 30, 90] as const;

const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** lastDays is the period of the n days ending today (in the browser's calendar). */
export function lastDays(n: number, today = new Date()): { from: string; to: string } {
  const from = new Date(today);
  from.setDate(from.getDate() - (n - 1));
  return { from: day(from), to: day(today) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** readQuery reads the report's state from the page's URL; missing or bad dates are the last 30 days. */
export function readQuery(search: URLSearchParams, today = new Date()): ReportQuery {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const period = DATE.test(from) && DATE.test(to) ? { from, to } : lastDays(30, today);
  return {
    ...period,
    agent_id: search.get('agent_id') ?? '',
    label: search.get('label') ?? '',
    business_hours: search.get('business_hours') === 'true',
    granularity: search.get('granularity') === 'hour' ? 'hour' : 'day',
  };
}

/** queryString is the report's state as a URL query (defaults left out), for the page's URL and the API. */
export function queryString(q: ReportQuery): string {
  const p = new URLSearchParams({ from: q.from, to: q.to });
  if (q.agent_id) p.set('agent_id', q.agent_id);
  if (q.label) p.set('label', q.label);
  if (q.business_hours) p.set('business_hours', 'true');
  if (q.granularity === 'hour') p.set('granularity', 'hour');
  return p.toString();
}

/** percent writes a 0–1 share as "42%"; null is "—". */
export function percent(v: number | null | undefined): string {
  return v == null ? '—' : `${Math.round(v * 100)}%`;
}
