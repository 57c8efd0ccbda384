// The state logic of the data pages (issue 11), free of React so it is unit
// tested: job polling, sizes, retention wording and validation, audit diffs.
import { ApiError } from '../../api/http';
import type { AuditEntry, Job, JobStatus, RetentionPreview } from '../../api/data';
import { locale, t, tn, type MessageKey } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';

/** isActive: the job is still moving (its progress is worth polling). */
export const isActive = (s: JobStatus | undefined) => s === 'queued' || s === 'running';

/** percent is a job's progress as a whole percentage, 0–100. */
export function percent(progress: number | undefined): number {
  if (!progress || !Number.isFinite(progress)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress)) * 100);
}

/** formatBytes is a size in decimal units, "12.3 MB", in the viewer's locale. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, n || 0);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${v.toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${units[i]}`;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * pollJob asks for a job every interval ms (the next ask only after the last
 * answer) and hands each answer to onUpdate, until the job is done, failed or
 * expired, or the returned stop is called. A failed ask goes to onError and
 * is tried again, so a network blip does not end the progress bar.
 */
export function pollJob<T extends Job>(
  get: () => Promise<T>,
  onUpdate: (job: T) => void,
  { interval = 1000, onError, timers = realTimers }: { interval?: number; onError?: (err: unknown) => void; timers?: Timers } = {},
): () => void {
  let stopped = false;
  let handle: unknown;
  const tick = async () => {
    try {
      const job = await get();
      if (stopped) return;
      onUpdate(job);
      if (!isActive(job.status)) return;
    } catch (err) {
      if (stopped) return;
      onError?.(err);
    }
    handle = timers.setTimeout(tick, interval);
  };
  handle = timers.setTimeout(tick, interval);
  return () => {
    stopped = true;
    timers.clearTimeout(handle);
  };
}

/** upsertJob puts a fresher copy of a job into a newest-first list (new jobs go first). */
export function upsertJob<T extends Job>(list: T[] | undefined, job: T): T[] {
  const old = list ?? [];
  return old.some((j) => j.id === job.id) ? old.map((j) => (j.id === job.id ? job : j)) : [job, ...old];
}

/** sortedCounts lists a job's rows per file, by file name. */
export function sortedCounts(counts: Record<string, number> | undefined): [string, number][] {
  return Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 3650;

/** retentionError says what is wrong with a number of days (undefined when it is fine; 0 is "off"). */
export function retentionError(days: number): string | undefined {
  if (days === 0) return undefined;
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    return t('data.retention.invalid', { min: MIN_RETENTION_DAYS, max: MAX_RETENTION_DAYS });
  }
  return undefined;
}

/** retentionConfirm is what the confirmation says a retention setting deletes now and later. */
export function retentionConfirm(p: RetentionPreview): string {
  if (p.conversations === 0) return tn('data.retention.nothing', p.days);
  const later = tn('data.retention.later', p.days);
  const n = (x: number) => x.toLocaleString(locale());
  const now = tn('data.retention.now', p.conversations, { count: n(p.conversations), messages: tn('data.retention.messages', p.messages, { count: n(p.messages) }) });
  return `${now} ${later}`;
}

/** importError is the sentence for a failed upload or import start. */
export function importError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 413) return t('data.import.tooLarge');
    if (err.status === 409) return `${t('data.import.conflict')}${err.detail ? ` (${err.detail})` : ''}`;
    if (err.status === 400) return `${t('data.import.invalid')}${err.detail ? ` (${err.detail})` : ''}`;
  }
  return errorMessage(err);
}

/** textOr is the string for key, or fallback when the catalog has none. */
function textOr(key: string, fallback: string): string {
  const s = t(key as MessageKey);
  return s === key ? fallback : s;
}

/** actionLabel is an audit action in words ("member.updated" → "Changed a member's role"). */
export const actionLabel = (action: string) => textOr(`audit.action.${action}`, action);

/** targetLabel names an audit entry's target ("Member 1a2b3c4d"). */
export function targetLabel(e: Pick<AuditEntry, 'target_type' | 'target_id'>): string {
  if (!e.target_type && !e.target_id) return '';
  const type = e.target_type ? textOr(`audit.target.${e.target_type}`, e.target_type) : '';
  const id = e.target_id ? (e.target_id.length > 12 ? e.target_id.slice(0, 8) : e.target_id) : '';
  return [type, id].filter(Boolean).join(' ');
}

/** actorLabel is who did it: a member's name, "Parley (retention)" for the system. */
export function actorLabel(a: AuditEntry['actor']): string {
  if (a.type === 'system') return a.name ? t('audit.actor.systemNamed', { name: a.name }) : t('audit.actor.system');
  return a.name || textOr(`audit.actor.${a.type}`, a.type);
}

export interface DiffLine {
  field: string;
  before?: string;
  after?: string;
}

const MAX_VALUE = 80;

/** formatValue is a compact, one-line rendering of a JSON value. */
export function formatValue(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '—';
  else if (typeof v === 'string') s = v === '' ? '""' : v;
  else if (Array.isArray(v)) s = v.length ? v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ') : '[]';
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function flatten(v: unknown, prefix: string, out: Map<string, unknown>) {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, v);
}

const isObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * auditDiff turns an entry's before and after (the changed fields only) into
 * one line per field, nested objects flattened to dotted paths
 * ("widget.color: #111 → #222"); fields that did not change are left out.
 * A before or after that is not an object is shown as the value itself.
 */
export function auditDiff(before: unknown, after: unknown): DiffLine[] {
  if (before == null && after == null) return [];
  if (!isObject(before ?? {}) || !isObject(after ?? {})) {
    return [{ field: '', before: before == null ? undefined : formatValue(before), after: after == null ? undefined : formatValue(after) }];
  }
  const b = new Map<string, unknown>();
  const a = new Map<string, unknown>();
  flatten(before, '', b);
  flatten(after, '', a);
  const fields = [...new Set([...b.keys(), ...a.keys()])];
  const lines: DiffLine[] = [];
  for (const f of fields) {
    const hasB = b.has(f);
    const hasA = a.has(f);
    if (hasB && hasA && JSON.stringify(b.get(f)) === JSON.stringify(a.get(f))) continue;
    lines.push({ field: f, before: hasB ? formatValue(b.get(f)) : undefined, after: hasA ? formatValue(a.get(f)) : undefined });
  }
  return lines;
}

/** dayStart is the RFC 3339 instant a local calendar day ("2026-03-14") starts; dayEnd the instant the next day starts. */
export function dayStart(day: string): string | undefined {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d).toISOString();
}

export function dayEnd(day: string): string | undefined {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + 1).toISOString();
}

/** The action kinds the audit log filters by (prefixes, as the API takes them). */
export const ACTION_KINDS = [
  'settings.',
  'member.',
  'invite.',
  'api_key.',
  'bot.',
  'canned_response.',
  'identity_secret.',
  'billing.',
  'export.',
  'import.',
  'visitor.',
  'retention.',
  'conversation.',
  'workspace.',
  'tenant.',
] as const;
